// A family as its members read it: the families a user belongs to, a family, its members, its
// domains with their latest packets, a domain's records and where they were confirmed.
import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { ServiceError } from './service-error';

export class FamilyService {
  constructor(private readonly pool: pg.Pool) {}

  async familiesOf(userId: string): Promise<{ id: string; name: string; role: string }[]> {
    const { rows } = await this.pool.query<{ id: string; name: string; role: string }>(
      `SELECT f.id, f.name, m.role FROM family_members m JOIN families f ON f.id = m.family_id
       WHERE m.user_id = $1 ORDER BY f.created_at`,
      [userId],
    );
    return rows;
  }

  /** A new family with its creator as owner. */
  create(name: string, ownerId: string): Promise<{ id: string; name: string }> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: string; name: string }>(
        'INSERT INTO families (name) VALUES ($1) RETURNING id, name',
        [name],
      );
      await client.query(
        "INSERT INTO family_members (family_id, user_id, role) VALUES ($1, $2, 'owner')",
        [rows[0]!.id, ownerId],
      );
      return rows[0]!;
    });
  }

  async get(familyId: string): Promise<Record<string, unknown>> {
    const { rows } = await this.pool.query(
      'SELECT id, name, pubky_enabled AS "pubkyEnabled", created_at AS "createdAt" FROM families WHERE id = $1',
      [familyId],
    );
    if (!rows[0]) throw new ServiceError('NOT_FOUND', 'no such family');
    return rows[0];
  }

  async members(familyId: string): Promise<Record<string, unknown>[]> {
    const { rows } = await this.pool.query(
      `SELECT u.id AS "userId", coalesce(m.display_name, u.display_name) AS "displayName",
              u.pubky_public_key AS "publicKey", m.role
       FROM family_members m JOIN users u ON u.id = m.user_id WHERE m.family_id = $1 ORDER BY m.joined_at`,
      [familyId],
    );
    return rows;
  }

  async domains(familyId: string): Promise<Record<string, unknown>[]> {
    const { rows } = await this.pool.query(
      `SELECT d.id, d.name, d.domain_type AS "domainType", d.sovereignty_score AS "sovereigntyScore",
              pd.public_key AS "publicKey", k.label, pd.id AS "pubkyDomainId", pd.pubky_url AS "pubkyUrl", pr.packet_timestamp::text AS "packetTimestamp",
              coalesce((SELECT jsonb_agg(h.user_id ORDER BY h.since) FROM domain_key_holders h
                        JOIN family_members m ON m.family_id = d.family_id AND m.user_id = h.user_id
                        WHERE h.domain_record_id = d.id), '[]') AS holders
       FROM domain_records d LEFT JOIN pubky_domains pd ON pd.domain_record_id = d.id
       LEFT JOIN pubky_keypairs k ON k.id = pd.keypair_id
       LEFT JOIN pkarr_records pr ON pr.pubky_domain_id = pd.id
       WHERE d.family_id = $1 ORDER BY d.created_at`,
      [familyId],
    );
    return rows;
  }

  /** A Pubky domain's stored records and, per target, the packet it last confirmed. */
  async records(domainRecordId: string): Promise<Record<string, unknown>> {
    const { rows } = await this.pool.query(
      `SELECT pd.public_key AS "publicKey", pr.packet_timestamp::text AS "packetTimestamp",
              coalesce(pr.records, '[]') AS records, pr.stored_at AS "storedAt",
              coalesce((SELECT jsonb_agg(jsonb_build_object('target', p.target,
                         'confirmedTimestamp', p.confirmed_timestamp::text, 'confirmedAt', p.confirmed_at)
                         ORDER BY p.target)
                        FROM pkarr_publications p WHERE p.pubky_domain_id = pd.id), '[]') AS publications
       FROM pubky_domains pd LEFT JOIN pkarr_records pr ON pr.pubky_domain_id = pd.id
       WHERE pd.domain_record_id = $1`,
      [domainRecordId],
    );
    if (!rows[0]) throw new ServiceError('NOT_FOUND', 'this domain has no Pubky key');
    return rows[0];
  }
}
