// A family's members as owners manage them: change a role, remove someone (a compromised device's
// owner, a member who left). Removal and role changes reach every server process through the
// feed's family events, which end the affected subscriptions at once (docs/security.md).
import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { guarded, ServiceError } from './service-error';

export type MemberRole = 'owner' | 'member';

export class MemberService {
  constructor(private readonly pool: pg.Pool) {}

  /** Locks the family's member rows so two owners cannot both leave it ownerless. */
  private async owners(client: pg.PoolClient, familyId: string): Promise<string[]> {
    const { rows } = await client.query<{ user_id: string; role: string }>(
      'SELECT user_id, role FROM family_members WHERE family_id = $1 FOR UPDATE',
      [familyId],
    );
    return rows.filter((row) => row.role === 'owner').map((row) => row.user_id);
  }

  changeRole(
    familyId: string,
    userId: string,
    role: MemberRole,
  ): Promise<{ userId: string; role: MemberRole }> {
    return guarded('member', () =>
      inTransaction(this.pool, async (client) => {
        const owners = await this.owners(client, familyId);
        const { rows } = await client.query<{ role: string }>(
          'SELECT role FROM family_members WHERE family_id = $1 AND user_id = $2',
          [familyId, userId],
        );
        const current = rows[0]?.role;
        if (!current) throw new ServiceError('NOT_FOUND', 'no such member in this family');
        if (current === 'guardian')
          throw new ServiceError(
            'CONFLICT',
            'a guardian stands outside the family; remove and invite instead',
          );
        if (current === 'owner' && role !== 'owner' && owners.length === 1)
          throw new ServiceError('CONFLICT', 'a family keeps at least one owner');
        await client.query(
          'UPDATE family_members SET role = $3 WHERE family_id = $1 AND user_id = $2',
          [familyId, userId, role],
        );
        return { userId, role };
      }),
    );
  }

  /** Removes a member (a guardian too, with its shares: its backups then need re-sharing). */
  remove(familyId: string, userId: string): Promise<void> {
    return guarded('member', () =>
      inTransaction(this.pool, async (client) => {
        const owners = await this.owners(client, familyId);
        if (owners.length === 1 && owners[0] === userId)
          throw new ServiceError('CONFLICT', 'a family keeps at least one owner');
        await client.query(
          'DELETE FROM federation_guardians WHERE family_id = $1 AND user_id = $2',
          [familyId, userId],
        );
        const { rowCount } = await client.query(
          'DELETE FROM family_members WHERE family_id = $1 AND user_id = $2',
          [familyId, userId],
        );
        if (!rowCount) throw new ServiceError('NOT_FOUND', 'no such member in this family');
      }),
    );
  }
}
