// The domain migration state machine: pending → in_progress → verifying → completed, with
// failed, cancelled and rolled_back as the other ends.
import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { ServiceError } from './service-error';

import { canMove, type MigrationStatus } from '../../src-shared/migration/states';

export {
  canMove,
  migrationStatuses,
  type MigrationStatus,
} from '../../src-shared/migration/states';

/** Moves a migration to `to` if the machine allows it from its current state (row locked). */
export function moveMigration(
  pool: pg.Pool,
  migrationId: string,
  to: MigrationStatus,
  error: string | undefined,
): Promise<Record<string, unknown>> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ status: MigrationStatus }>(
      'SELECT status FROM domain_migrations WHERE id = $1 FOR UPDATE',
      [migrationId],
    );
    const from = rows[0]?.status;
    if (!from) throw new ServiceError('NOT_FOUND', 'not found');
    if (!canMove(from, to))
      throw new ServiceError('CONFLICT', `a ${from} migration cannot become ${to}`);
    const { rows: updated } = await client.query(
      `UPDATE domain_migrations SET status = $2, error = $3, updated_at = now() WHERE id = $1
       RETURNING id, status, error, updated_at AS "updatedAt"`,
      [migrationId, to, error ?? null],
    );
    return updated[0]!;
  });
}
