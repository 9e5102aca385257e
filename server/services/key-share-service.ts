// Domain keys shared between a family's own devices: the server relays a blob sealed to the
// recipient's Pubky key (it cannot open it) and deletes it once answered; it also remembers which
// members hold a domain's key, so the family's domain list can name them (docs/protocol.md).
import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { ServiceError } from './service-error';

export interface OpenKeyShare {
  readonly keyShareId: string;
  readonly familyId: string;
  readonly familyName: string;
  readonly domainRecordId: string;
  readonly domainName: string;
  readonly publicKey: string;
  readonly senderId: string;
  readonly senderName: string;
  readonly senderPublicKey: string | null;
  /** The sealed blob, base64. */
  readonly sealed: string;
  readonly createdAt: string;
}

export class KeyShareService {
  constructor(private readonly pool: pg.Pool) {}

  /** Records that `userId`'s devices hold the domain's key (registration, an accepted share). */
  async addHolder(domainRecordId: string, userId: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO domain_key_holders (domain_record_id, user_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING`,
      [domainRecordId, userId],
    );
  }

  /**
   * A share from `senderId` to `recipientId`, both owners or members of the domain's family. A
   * share still open for the same person and key is replaced.
   */
  async share(
    domainRecordId: string,
    senderId: string,
    recipientId: string,
    sealed: Uint8Array,
  ): Promise<{ keyShareId: string }> {
    if (senderId === recipientId)
      throw new ServiceError('INVALID', 'recipientId: this device already holds the key');
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ family_id: string; public_key: string | null }>(
        `SELECT d.family_id, pd.public_key FROM domain_records d
         LEFT JOIN pubky_domains pd ON pd.domain_record_id = d.id WHERE d.id = $1`,
        [domainRecordId],
      );
      const domain = rows[0];
      if (!domain?.public_key) throw new ServiceError('NOT_FOUND', 'this domain has no Pubky key');
      const recipient = await client.query(
        `SELECT 1 FROM family_members WHERE family_id = $1 AND user_id = $2
           AND role IN ('owner', 'member')`,
        [domain.family_id, recipientId],
      );
      if (recipient.rowCount === 0)
        throw new ServiceError(
          'INVALID',
          'recipientId: share a domain key only with an owner or member of its family',
        );
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO domain_key_shares (family_id, domain_record_id, sender_id, recipient_id, sealed)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (domain_record_id, recipient_id)
           DO UPDATE SET sender_id = excluded.sender_id, sealed = excluded.sealed, created_at = now()
         RETURNING id`,
        [domain.family_id, domainRecordId, senderId, recipientId, Buffer.from(sealed)],
      );
      return { keyShareId: inserted.rows[0]!.id };
    });
  }

  /** The shares waiting for `recipientId`, oldest first. */
  async openFor(recipientId: string): Promise<OpenKeyShare[]> {
    const { rows } = await this.pool.query<OpenKeyShare>(
      `SELECT s.id AS "keyShareId", s.family_id AS "familyId", f.name AS "familyName",
              s.domain_record_id AS "domainRecordId",
              coalesce(nullif(k.label, ''), d.name) AS "domainName",
              pd.public_key AS "publicKey", s.sender_id AS "senderId",
              coalesce(m.display_name, u.display_name) AS "senderName",
              u.pubky_public_key AS "senderPublicKey",
              encode(s.sealed, 'base64') AS sealed, s.created_at AS "createdAt"
       FROM domain_key_shares s
       JOIN families f ON f.id = s.family_id
       JOIN domain_records d ON d.id = s.domain_record_id
       JOIN pubky_domains pd ON pd.domain_record_id = d.id
       JOIN pubky_keypairs k ON k.id = pd.keypair_id
       JOIN users u ON u.id = s.sender_id
       LEFT JOIN family_members m ON m.family_id = s.family_id AND m.user_id = s.sender_id
       WHERE s.recipient_id = $1 ORDER BY s.created_at, s.id`,
      [recipientId],
    );
    // encode(…, 'base64') wraps lines at 76 characters.
    return rows.map((row) => ({ ...row, sealed: row.sealed.replace(/\s+/g, '') }));
  }

  /**
   * The recipient's answer: the blob is deleted either way; accepting records the recipient as
   * a holder. Anyone else's answer finds nothing.
   */
  answer(keyShareId: string, recipientId: string, accepted: boolean): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ domain_record_id: string }>(
        'DELETE FROM domain_key_shares WHERE id = $1 AND recipient_id = $2 RETURNING domain_record_id',
        [keyShareId, recipientId],
      );
      if (!rows[0]) throw new ServiceError('NOT_FOUND', 'no such key share for you');
      if (accepted)
        await client.query(
          `INSERT INTO domain_key_holders (domain_record_id, user_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING`,
          [rows[0].domain_record_id, recipientId],
        );
    });
  }
}
