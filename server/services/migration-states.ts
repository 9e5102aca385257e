// The domain migration state machine: pending → in_progress → verifying → completed, with
// failed, cancelled and rolled_back as the other ends.
import type { MigrationStatus } from '../db/schema';

const NEXT: Readonly<Record<MigrationStatus, readonly MigrationStatus[]>> = {
  pending: ['in_progress', 'cancelled'],
  in_progress: ['verifying', 'failed', 'cancelled'],
  verifying: ['completed', 'failed', 'rolled_back'],
  completed: ['rolled_back'],
  failed: ['rolled_back'],
  cancelled: [],
  rolled_back: [],
};

export const canMove = (from: MigrationStatus, to: MigrationStatus): boolean =>
  NEXT[from].includes(to);
