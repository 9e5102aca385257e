// The states a domain migration moves through, shared by the server (which keeps them) and the
// app (which runs the migration): pending → in_progress → verifying → completed, with failed,
// cancelled and rolled_back as the other ends (docs/migration.md).

export const migrationStatuses = [
  'pending',
  'in_progress',
  'verifying',
  'completed',
  'failed',
  'cancelled',
  'rolled_back',
] as const;
export type MigrationStatus = (typeof migrationStatuses)[number];

export const MIGRATION_NEXT: Readonly<Record<MigrationStatus, readonly MigrationStatus[]>> = {
  pending: ['in_progress', 'cancelled'],
  in_progress: ['verifying', 'failed', 'cancelled'],
  verifying: ['completed', 'failed', 'rolled_back'],
  completed: ['rolled_back'],
  failed: ['rolled_back'],
  cancelled: [],
  rolled_back: [],
};

export const canMove = (from: MigrationStatus, to: MigrationStatus): boolean =>
  MIGRATION_NEXT[from].includes(to);

export const isFinal = (status: MigrationStatus): boolean =>
  status === 'completed' ||
  status === 'failed' ||
  status === 'cancelled' ||
  status === 'rolled_back';

/** The moves from `from` to `to`, shortest first; empty when `to` cannot be reached. */
export function pathBetween(from: MigrationStatus, to: MigrationStatus): MigrationStatus[] {
  const queue: MigrationStatus[][] = [[from]];
  const seen = new Set<MigrationStatus>([from]);
  while (queue.length) {
    const path = queue.shift()!;
    const last = path.at(-1)!;
    if (last === to) return path.slice(1);
    for (const next of MIGRATION_NEXT[last])
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
  }
  return [];
}
