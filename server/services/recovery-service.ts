// Recovering a family's key through its guardians (docs/guardians.md). A new machine, signed in
// with a one-time key, asks for the key of a domain with an active backup; each approving guardian
// seals its share again to that one-time key; the sealed shares are released to the asker only
// once the family's waiting period is over (or an owner approved), while no guardian's freeze
// holds, and never after a family device cancelled. Nothing here can open a share.
import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { guarded, ServiceError } from './service-error';
import { ForbiddenError } from '../auth/access';
import type { RecoverySummary } from '../../src-shared/guardians/views';

const VIEW = `SELECT r.id AS "recoveryId", r.family_id AS "familyId", k.public_key AS "publicKey",
    r.ephemeral_public_key AS "ephemeralPublicKey", r.status, r.release_at AS "releaseAt",
    b.threshold,
    (SELECT count(*)::int FROM guardian_recovery_shares s WHERE s.recovery_id = r.id) AS approvals,
    r.approved_by IS NOT NULL AS "approvedByOwner",
    (SELECT max(z.frozen_until) FROM guardian_freezes z
      WHERE z.family_id = r.family_id AND z.frozen_until > now()) AS "frozenUntil",
    r.status = 'waiting' AND (now() >= r.release_at OR r.approved_by IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM guardian_freezes z
                      WHERE z.family_id = r.family_id AND z.frozen_until > now()) AS released
  FROM guardian_recoveries r
  JOIN guardian_backups b ON b.id = r.backup_id
  JOIN pubky_keypairs k ON k.id = b.keypair_id`;

export class RecoveryService {
  constructor(private readonly pool: pg.Pool) {}

  private async view(recoveryId: string): Promise<RecoverySummary | undefined> {
    const { rows } = await this.pool.query<RecoverySummary>(`${VIEW} WHERE r.id = $1`, [
      recoveryId,
    ]);
    return rows[0];
  }

  /**
   * A recovery of `publicKey`'s active backup, asked by the caller (signed in with its one-time
   * key). Refused while a guardian's freeze holds or another recovery of it is open.
   */
  request(requesterId: string, ephemeralKey: string, publicKey: string): Promise<RecoverySummary> {
    return guarded('recovery', async () => {
      const id = await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<{ id: string; family_id: string; wait: number }>(
          `SELECT b.id, b.family_id, f.recovery_wait_seconds AS wait
           FROM guardian_backups b JOIN pubky_keypairs k ON k.id = b.keypair_id
           JOIN families f ON f.id = b.family_id
           WHERE k.public_key = $1 AND b.status = 'active'`,
          [publicKey],
        );
        const backup = rows[0];
        if (!backup) throw new ServiceError('NOT_FOUND', 'no guardian backup of this key');
        const frozen = await client.query<{ until: Date; guardian: string }>(
          `SELECT z.frozen_until AS until, g.guardian_public_key AS guardian FROM guardian_freezes z
           JOIN federation_guardians g ON g.id = z.guardian_id
           WHERE z.family_id = $1 AND z.frozen_until > now() ORDER BY z.frozen_until DESC LIMIT 1`,
          [backup.family_id],
        );
        if (frozen.rows[0])
          throw new ForbiddenError(
            `a guardian (${frozen.rows[0].guardian}) froze recoveries of this family until ${frozen.rows[0].until.toISOString()}`,
          );
        const inserted = await client
          .query<{ id: string }>(
            `INSERT INTO guardian_recoveries (family_id, backup_id, requester_id, ephemeral_public_key, release_at)
             VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id`,
            [backup.family_id, backup.id, requesterId, ephemeralKey, backup.wait],
          )
          .catch((error: unknown) => {
            if ((error as { code?: string }).code === '23505')
              throw new ServiceError('CONFLICT', 'a recovery of this key is already open');
            throw error;
          });
        return inserted.rows[0]!.id;
      });
      return (await this.view(id))!;
    });
  }

  /**
   * What the asker sees: the state, and once released the sealed shares with the backup's
   * commitments (each guardian's key, its share's hash) and the domain key's signature.
   */
  async forRequester(recoveryId: string, requesterId: string) {
    const { rows } = await this.pool.query<{ requester_id: string }>(
      'SELECT requester_id FROM guardian_recoveries WHERE id = $1',
      [recoveryId],
    );
    if (rows[0]?.requester_id !== requesterId)
      throw new ServiceError('NOT_FOUND', 'no such recovery of yours');
    const view = (await this.view(recoveryId))!;
    const commitments = await this.pool.query<{
      guardianKey: string;
      commitment: string | null;
      sealed: string | null;
    }>(
      `SELECT g.guardian_public_key AS "guardianKey", encode(s.commitment, 'hex') AS commitment,
              CASE WHEN $2 THEN encode(x.sealed, 'base64') END AS sealed
       FROM guardian_recoveries r
       JOIN guardian_backup_shares s ON s.backup_id = r.backup_id
       JOIN federation_guardians g ON g.id = s.guardian_id
       LEFT JOIN guardian_recovery_shares x ON x.recovery_id = r.id AND x.guardian_id = s.guardian_id
       WHERE r.id = $1 ORDER BY g.guardian_public_key`,
      [recoveryId, view.released],
    );
    const signature = await this.pool.query<{ s: string | null }>(
      `SELECT encode(b.commitment_signature, 'base64') AS s FROM guardian_recoveries r
       JOIN guardian_backups b ON b.id = r.backup_id WHERE r.id = $1`,
      [recoveryId],
    );
    return {
      ...view,
      commitmentSignature: signature.rows[0]?.s?.replace(/\s+/g, '') ?? null,
      shares: commitments.rows.map((row) => ({
        guardianKey: row.guardianKey,
        commitment: row.commitment,
        ...(row.sealed ? { sealed: row.sealed.replace(/\s+/g, '') } : {}),
      })),
    };
  }

  /** The asker rebuilt the key: the recovery ends, the sealed shares go, custody is recorded. */
  complete(recoveryId: string, requesterId: string): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ backup_id: string }>(
        `UPDATE guardian_recoveries SET status = 'completed', updated_at = now()
         WHERE id = $1 AND requester_id = $2 AND status = 'waiting' RETURNING backup_id`,
        [recoveryId, requesterId],
      );
      if (!rows[0]) throw new ServiceError('NOT_FOUND', 'no open recovery of yours');
      await client.query('DELETE FROM guardian_recovery_shares WHERE recovery_id = $1', [
        recoveryId,
      ]);
      await client.query(
        `UPDATE pubky_keypairs k SET custody = 'guardian-recovered' FROM guardian_backups b
         WHERE b.id = $1 AND k.id = b.keypair_id`,
        [rows[0].backup_id],
      );
    });
  }

  /** Open recoveries of the families the caller guards, with whether it has approved. */
  async forGuardian(userId: string) {
    const { rows } = await this.pool.query<
      RecoverySummary & { familyName: string; approved: boolean }
    >(
      `SELECT v.*, f.name AS "familyName",
              EXISTS (SELECT 1 FROM guardian_recovery_shares s WHERE s.recovery_id = v."recoveryId"
                        AND s.guardian_id = g.id) AS approved
       FROM (${VIEW} WHERE r.status = 'waiting') v
       JOIN federation_guardians g ON g.family_id = v."familyId" AND g.user_id = $1
       JOIN families f ON f.id = v."familyId"
       ORDER BY v."releaseAt"`,
      [userId],
    );
    return rows;
  }

  /** A guardian's share, sealed again to the recovery's one-time key. */
  async approveAsGuardian(userId: string, recoveryId: string, sealed: Uint8Array): Promise<void> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO guardian_recovery_shares (recovery_id, guardian_id, sealed)
       SELECT r.id, g.id, $3 FROM guardian_recoveries r
       JOIN federation_guardians g ON g.family_id = r.family_id AND g.user_id = $2
       JOIN guardian_backup_shares s ON s.backup_id = r.backup_id AND s.guardian_id = g.id
       WHERE r.id = $1 AND r.status = 'waiting'
       ON CONFLICT (recovery_id, guardian_id) DO UPDATE SET sealed = excluded.sealed, approved_at = now()`,
      [recoveryId, userId, Buffer.from(sealed)],
    );
    if (!rowCount) throw new ServiceError('NOT_FOUND', 'no open recovery you hold a share of');
  }

  /** Any guardian of the family stops its recoveries until `seconds` from now. */
  async freeze(
    userId: string,
    familyId: string,
    seconds: number,
  ): Promise<{ frozenUntil: string }> {
    const { rows } = await this.pool.query<{ frozen_until: Date }>(
      `INSERT INTO guardian_freezes (family_id, guardian_id, frozen_until)
       SELECT g.family_id, g.id, now() + make_interval(secs => $3) FROM federation_guardians g
       WHERE g.family_id = $1 AND g.user_id = $2
       ON CONFLICT (family_id, guardian_id) DO UPDATE SET frozen_until = excluded.frozen_until
       RETURNING frozen_until`,
      [familyId, userId, seconds],
    );
    if (!rows[0]) throw new ServiceError('NOT_FOUND', 'you guard no such family');
    return { frozenUntil: rows[0].frozen_until.toISOString() };
  }

  /** A family's recoveries, newest first, and the freezes that hold now (who, until when). */
  async ofFamily(familyId: string) {
    const [recoveries, freezes] = await Promise.all([
      this.pool.query<RecoverySummary>(
        `${VIEW} WHERE r.family_id = $1 ORDER BY r.created_at DESC`,
        [familyId],
      ),
      this.pool.query<{ guardianId: string; publicKey: string; frozenUntil: string }>(
        `SELECT z.guardian_id AS "guardianId", g.guardian_public_key AS "publicKey",
                z.frozen_until AS "frozenUntil"
         FROM guardian_freezes z JOIN federation_guardians g ON g.id = z.guardian_id
         WHERE z.family_id = $1 AND z.frozen_until > now()`,
        [familyId],
      ),
    ]);
    const wait = await this.pool.query<{ seconds: number }>(
      'SELECT recovery_wait_seconds AS seconds FROM families WHERE id = $1',
      [familyId],
    );
    return {
      recoveries: recoveries.rows,
      freezes: freezes.rows,
      recoveryWaitSeconds: wait.rows[0]?.seconds ?? 86_400,
    };
  }

  /** A family device cancels: nothing of it is ever released. */
  async cancel(familyId: string, recoveryId: string, userId: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        `UPDATE guardian_recoveries SET status = 'cancelled', cancelled_by = $3, updated_at = now()
         WHERE id = $1 AND family_id = $2 AND status = 'waiting'`,
        [recoveryId, familyId, userId],
      );
      if (!rowCount) throw new ServiceError('NOT_FOUND', 'no open recovery of this family');
      await client.query('DELETE FROM guardian_recovery_shares WHERE recovery_id = $1', [
        recoveryId,
      ]);
    });
  }

  /** An owner's existing device lets the shares go before the waiting period ends. */
  async approveAsOwner(familyId: string, recoveryId: string, userId: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      `UPDATE guardian_recoveries SET approved_by = $3, updated_at = now()
       WHERE id = $1 AND family_id = $2 AND status = 'waiting'`,
      [recoveryId, familyId, userId],
    );
    if (!rowCount) throw new ServiceError('NOT_FOUND', 'no open recovery of this family');
  }

  async setWait(familyId: string, seconds: number): Promise<void> {
    await this.pool.query('UPDATE families SET recovery_wait_seconds = $2 WHERE id = $1', [
      familyId,
      seconds,
    ]);
  }
}
