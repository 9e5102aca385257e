// What Home shows of a domain, from its local row: the publish health of its newest packet and
// what needs the person's attention (not backed up, a target failing, not republished in time).
import type { AttentionReason, DomainSummary, PublishHealth } from '../src-shared/ipc';
import type { DomainRow } from './store/local-store';

/** A target counts as failing once this many attempts have failed in a row. */
export const FAILING_AFTER_ATTEMPTS = 3;

function healthOf(row: DomainRow): PublishHealth {
  if (row.conflictTimestamp !== null) return 'conflict';
  if (row.packetTimestamp === null) return 'never';
  const done = row.targets.filter((t) => t.state === 'done').length;
  const failing = row.targets.filter((t) => t.state !== 'done' && t.lastError !== null).length;
  if (row.targets.length === 0 || done === row.targets.length) return 'published';
  if (done > 0) return failing > 0 ? 'partial' : 'publishing';
  return failing > 0 ? 'failing' : 'publishing';
}

export function summariseDomain(
  row: DomainRow,
  now: number,
  republishIntervalMs: number,
): DomainSummary {
  const attention: AttentionReason[] = [];
  if (row.held && row.backedUpAt === null) attention.push({ kind: 'not_backed_up' });
  if (row.conflictTimestamp !== null)
    attention.push({ kind: 'conflict', timestamp: row.conflictTimestamp });
  for (const target of row.targets) {
    if (
      target.state !== 'done' &&
      target.lastError !== null &&
      target.attempts >= FAILING_AFTER_ATTEMPTS
    ) {
      attention.push({
        kind: 'target_failing',
        target: target.target,
        attempts: target.attempts,
        lastError: target.lastError,
      });
    }
  }
  // Relays and the DHT drop records after hours to days; twice the interval means the
  // republisher has not managed it (docs/protocol.md).
  if (row.held && row.packetStoredAt !== null) {
    const lastDone = Math.max(
      row.packetStoredAt,
      ...row.targets.filter((t) => t.state === 'done').map((t) => t.updatedAt),
    );
    if (now - lastDone > 2 * republishIntervalMs)
      attention.push({ kind: 'not_republished', since: lastDone });
  }
  return {
    publicKey: row.publicKey,
    label: row.label,
    held: row.held,
    backup:
      row.backupMethod && row.backedUpAt !== null
        ? { method: row.backupMethod, at: row.backedUpAt }
        : null,
    recordCount: row.recordCount,
    lastPublishedAt: row.packetStoredAt,
    packetTimestamp: row.packetTimestamp,
    unpublishedChanges:
      row.draftsChangedAt !== null &&
      (row.packetStoredAt === null || row.draftsChangedAt > row.packetStoredAt),
    health: healthOf(row),
    targets: row.targets,
    attention,
  };
}
