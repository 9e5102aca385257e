// Guardians of a family and its threshold key backups, as the server keeps them: who guards, the
// shares each guardian holds (encrypted by the family's app to that guardian; opaque here) and
// which shares were acknowledged. Acknowledgements are score evidence (docs/sovereignty-score.md).
import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { publicKeyOf } from './pubky-sovereignty-service';
import { guarded, ServiceError } from './service-error';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { parsePublicKey } from '../../src-shared/pkarr';
import { backupCommitmentMessage } from '../../src-shared/guardians/commitments';
import type { BackupSummary } from '../../src-shared/guardians/views';

export interface Guardian {
  readonly guardianId: string;
  readonly userId: string;
  readonly publicKey: string;
  readonly displayName: string;
  readonly backupStatus: string;
}

export interface GuardedShare {
  readonly backupId: string;
  readonly familyId: string;
  readonly familyName: string;
  readonly publicKey: string;
  readonly threshold: number;
  readonly shareCount: number;
  /** Base64 of the share as the family's app encrypted it to this guardian. */
  readonly encryptedShare: string;
  /** Hex of the share's commitment, and base64 of the domain key's signature over them all. */
  readonly commitment: string | null;
  readonly commitmentSignature: string | null;
  /** Every guardian's key and commitment (hex), so the signature can be checked. */
  readonly commitments: readonly {
    readonly guardianKey: string;
    readonly commitment: string | null;
  }[];
  readonly acknowledgedAt: string | null;
}

export interface NewBackup {
  readonly familyId: string;
  readonly publicKey: string;
  readonly threshold: number;
  readonly shares: readonly {
    readonly guardianId: string;
    readonly encryptedShare: Uint8Array;
    readonly commitment: Uint8Array;
  }[];
  readonly commitmentSignature: Uint8Array;
}

export class GuardianService {
  constructor(private readonly pool: pg.Pool) {}

  async list(familyId: string): Promise<Guardian[]> {
    const { rows } = await this.pool.query<Guardian>(
      `SELECT g.id AS "guardianId", g.user_id AS "userId", g.guardian_public_key AS "publicKey",
              coalesce(m.display_name, u.display_name) AS "displayName",
              g.pubky_backup_status AS "backupStatus"
       FROM federation_guardians g JOIN users u ON u.id = g.user_id
       LEFT JOIN family_members m ON m.family_id = g.family_id AND m.user_id = g.user_id
       WHERE g.family_id = $1 ORDER BY g.created_at`,
      [familyId],
    );
    return rows;
  }

  /** Removes a guardian: its membership and its shares go with it. */
  async remove(familyId: string, guardianId: string): Promise<void> {
    await guarded('guardian', () =>
      inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<{ user_id: string }>(
          'DELETE FROM federation_guardians WHERE id = $1 AND family_id = $2 RETURNING user_id',
          [guardianId, familyId],
        );
        if (!rows[0]) throw new ServiceError('NOT_FOUND', 'no such guardian in this family');
        await client.query(
          "DELETE FROM family_members WHERE family_id = $1 AND user_id = $2 AND role = 'guardian'",
          [familyId, rows[0].user_id],
        );
      }),
    );
  }

  /** Stores a new threshold backup of one of the family's keys; the previous one is superseded. */
  createBackup(backup: NewBackup): Promise<BackupSummary> {
    const publicKey = publicKeyOf(backup.publicKey);
    const { threshold, shares } = backup;
    if (threshold < 2 || threshold > shares.length)
      throw new ServiceError('INVALID', `a threshold of ${threshold} needs 2…${shares.length}`);
    const ids = shares.map((share) => share.guardianId);
    if (new Set(ids).size !== ids.length)
      throw new ServiceError('INVALID', 'each guardian holds at most one share');
    return guarded('backup', () =>
      inTransaction(this.pool, async (client) => {
        const { rows: keys } = await client.query<{ id: string }>(
          'SELECT id FROM pubky_keypairs WHERE family_id = $1 AND public_key = $2',
          [backup.familyId, publicKey],
        );
        const keypairId = keys[0]?.id;
        if (!keypairId) throw new ServiceError('NOT_FOUND', 'no such key in this family');
        const { rows: found } = await client.query<{ id: string; key: string }>(
          `SELECT id, guardian_public_key AS key FROM federation_guardians
           WHERE family_id = $1 AND id = ANY($2::uuid[])`,
          [backup.familyId, ids],
        );
        if (found.length !== ids.length)
          throw new ServiceError('NOT_FOUND', 'a share names a guardian this family does not have');
        // The commitments must be the domain key's: a backup nobody can check is refused.
        const keyOf = new Map(found.map((g) => [g.id, g.key]));
        if (shares.some((share) => share.commitment.length !== 32))
          throw new ServiceError('INVALID', 'shares.commitment: 32 bytes each');
        const message = backupCommitmentMessage(
          publicKey,
          threshold,
          shares.map((share) => ({
            guardianKey: keyOf.get(share.guardianId)!,
            commitment: share.commitment,
          })),
        );
        if (!nativeVerifier.verify(parsePublicKey(publicKey), message, backup.commitmentSignature))
          throw new ServiceError(
            'INVALID',
            'commitmentSignature: not the domain key’s signature over these shares’ commitments',
          );
        await client.query(
          "UPDATE guardian_backups SET status = 'superseded' WHERE keypair_id = $1 AND status = 'active'",
          [keypairId],
        );
        const { rows } = await client.query<{ id: string; created_at: Date }>(
          `INSERT INTO guardian_backups (family_id, keypair_id, threshold, share_count, commitment_signature)
           VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
          [
            backup.familyId,
            keypairId,
            threshold,
            shares.length,
            Buffer.from(backup.commitmentSignature),
          ],
        );
        const backupId = rows[0]!.id;
        await client.query(
          `INSERT INTO guardian_backup_shares (backup_id, guardian_id, encrypted_share, commitment)
           SELECT $1, unnest($2::uuid[]), unnest($3::bytea[]), unnest($4::bytea[])`,
          [
            backupId,
            ids,
            shares.map((share) => Buffer.from(share.encryptedShare)),
            shares.map((share) => Buffer.from(share.commitment)),
          ],
        );
        await client.query(
          `UPDATE federation_guardians SET pubky_backup_status = 'pending', pubky_backup_last_updated = now()
           WHERE id = ANY($1::uuid[])`,
          [ids],
        );
        return {
          backupId,
          publicKey,
          threshold,
          shareCount: shares.length,
          acknowledged: 0,
          status: 'active',
          createdAt: rows[0]!.created_at.toISOString(),
          reshareNeededSince: null,
        };
      }),
    );
  }

  async backups(familyId: string): Promise<BackupSummary[]> {
    const { rows } = await this.pool.query<BackupSummary>(
      `SELECT b.id AS "backupId", k.public_key AS "publicKey", b.threshold, b.share_count AS "shareCount",
              (SELECT count(*)::int FROM guardian_backup_shares s
               WHERE s.backup_id = b.id AND s.acknowledged_at IS NOT NULL) AS acknowledged,
              b.status, b.created_at AS "createdAt", b.reshare_needed_since AS "reshareNeededSince"
       FROM guardian_backups b JOIN pubky_keypairs k ON k.id = b.keypair_id
       WHERE b.family_id = $1 ORDER BY b.created_at DESC`,
      [familyId],
    );
    return rows;
  }

  /** The shares the caller holds as a guardian, in active backups only. */
  async sharesOf(userId: string): Promise<GuardedShare[]> {
    const { rows } = await this.pool.query<Omit<GuardedShare, 'encryptedShare'> & { s: Buffer }>(
      `SELECT b.id AS "backupId", f.id AS "familyId", f.name AS "familyName", k.public_key AS "publicKey",
              b.threshold, b.share_count AS "shareCount", s.encrypted_share AS s,
              s.acknowledged_at AS "acknowledgedAt", encode(s.commitment, 'hex') AS commitment,
              translate(encode(b.commitment_signature, 'base64'), E'\n', '') AS "commitmentSignature",
              (SELECT coalesce(jsonb_agg(jsonb_build_object('guardianKey', g2.guardian_public_key,
                        'commitment', encode(s2.commitment, 'hex')) ORDER BY g2.guardian_public_key), '[]')
               FROM guardian_backup_shares s2 JOIN federation_guardians g2 ON g2.id = s2.guardian_id
               WHERE s2.backup_id = b.id) AS commitments
       FROM guardian_backup_shares s
       JOIN federation_guardians g ON g.id = s.guardian_id AND g.user_id = $1
       JOIN guardian_backups b ON b.id = s.backup_id AND b.status = 'active'
       JOIN pubky_keypairs k ON k.id = b.keypair_id
       JOIN families f ON f.id = b.family_id
       ORDER BY b.created_at`,
      [userId],
    );
    return rows.map(({ s, ...share }) => ({ ...share, encryptedShare: s.toString('base64') }));
  }

  /** The guardian confirms it holds its share of an active backup. */
  async acknowledge(userId: string, backupId: string): Promise<{ acknowledgedAt: string }> {
    return guarded('share', () =>
      inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<{ acknowledged_at: Date; guardian_id: string }>(
          `UPDATE guardian_backup_shares s SET acknowledged_at = coalesce(s.acknowledged_at, now())
           FROM federation_guardians g, guardian_backups b
           WHERE s.backup_id = $2 AND g.id = s.guardian_id AND g.user_id = $1
             AND b.id = s.backup_id AND b.status = 'active'
           RETURNING s.acknowledged_at, s.guardian_id`,
          [userId, backupId],
        );
        if (!rows[0]) throw new ServiceError('NOT_FOUND', 'no share of yours in that backup');
        await client.query(
          `UPDATE federation_guardians SET pubky_backup_status = 'acknowledged', pubky_backup_last_updated = now()
           WHERE id = $1`,
          [rows[0].guardian_id],
        );
        return { acknowledgedAt: rows[0].acknowledged_at.toISOString() };
      }),
    );
  }
}
