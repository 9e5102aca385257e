// Rows for schema tests, written with plain SQL so each test states exactly the evidence it sets.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z32Encode } from '../../src-shared/pkarr';

export const randomKey = (): string => z32Encode(randomBytes(32));

export async function family(db: pg.Pool | pg.PoolClient, name = 'The Family'): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO families (name) VALUES ($1) RETURNING id',
    [name],
  );
  return rows[0]!.id;
}

export async function user(db: pg.Pool | pg.PoolClient, name = 'Member'): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO users (display_name, pubky_public_key) VALUES ($1, $2) RETURNING id',
    [name, randomKey()],
  );
  return rows[0]!.id;
}

export interface PubkyDomainRows {
  readonly domainRecordId: string;
  readonly pubkyDomainId: string;
  readonly keypairId: string;
  readonly publicKey: string;
}

export async function pubkyDomain(
  db: pg.Pool | pg.PoolClient,
  familyId: string,
  options: { custody?: string; selfHosted?: boolean | null } = {},
): Promise<PubkyDomainRows> {
  const publicKey = randomKey();
  const { rows: k } = await db.query<{ id: string }>(
    'INSERT INTO pubky_keypairs (family_id, public_key, custody) VALUES ($1, $2, $3) RETURNING id',
    [familyId, publicKey, options.custody ?? 'os-keychain'],
  );
  const { rows: d } = await db.query<{ id: string }>(
    "INSERT INTO domain_records (family_id, name, domain_type, pubky_enabled) VALUES ($1, $2, 'pubky', true) RETURNING id",
    [familyId, publicKey],
  );
  const selfHosted = options.selfHosted === undefined ? null : options.selfHosted;
  const { rows: p } = await db.query<{ id: string }>(
    `INSERT INTO pubky_domains (domain_record_id, family_id, keypair_id, public_key, homeserver_public_key, homeserver_self_hosted)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [d[0]!.id, familyId, k[0]!.id, publicKey, selfHosted === null ? null : randomKey(), selfHosted],
  );
  return { domainRecordId: d[0]!.id, pubkyDomainId: p[0]!.id, keypairId: k[0]!.id, publicKey };
}

export async function storePacket(
  db: pg.Pool | pg.PoolClient,
  pubkyDomainId: string,
  timestamp: number,
  records: unknown[] = [{ type: 'A', name: '@', ttl: 300, address: '192.0.2.1' }],
): Promise<void> {
  await db.query(
    `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp, records)
     SELECT id, family_id, $2, $3, $4 FROM pubky_domains WHERE id = $1
     ON CONFLICT (pubky_domain_id) DO UPDATE SET packet = excluded.packet, packet_timestamp = excluded.packet_timestamp, records = excluded.records`,
    [pubkyDomainId, randomBytes(100), timestamp, JSON.stringify(records)],
  );
}

export async function confirm(
  db: pg.Pool | pg.PoolClient,
  pubkyDomainId: string,
  target: string,
  timestamp: number,
  ageHours = 0,
): Promise<void> {
  await db.query(
    `INSERT INTO pkarr_publications (pubky_domain_id, target, confirmed_timestamp, confirmed_at)
     VALUES ($1, $2, $3, now() - $4 * interval '1 hour')
     ON CONFLICT (pubky_domain_id, target) DO UPDATE SET confirmed_timestamp = excluded.confirmed_timestamp, confirmed_at = excluded.confirmed_at`,
    [pubkyDomainId, target, timestamp, ageHours],
  );
}

/** A guardian backup of `threshold`-of-`shares`, `acknowledged` of them acknowledged. */
export async function guardianBackup(
  db: pg.Pool | pg.PoolClient,
  familyId: string,
  keypairId: string,
  threshold: number,
  shares: number,
  acknowledged: number,
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO guardian_backups (family_id, keypair_id, threshold, share_count) VALUES ($1, $2, $3, $4) RETURNING id',
    [familyId, keypairId, threshold, shares],
  );
  const backupId = rows[0]!.id;
  for (let i = 0; i < shares; i++) {
    const userId = await user(db, `Guardian ${i}`);
    const { rows: g } = await db.query<{ id: string }>(
      'INSERT INTO federation_guardians (family_id, user_id, guardian_public_key) VALUES ($1, $2, $3) RETURNING id',
      [familyId, userId, randomKey()],
    );
    await db.query(
      'INSERT INTO guardian_backup_shares (backup_id, guardian_id, encrypted_share, acknowledged_at) VALUES ($1, $2, $3, $4)',
      [backupId, g[0]!.id, randomBytes(80), i < acknowledged ? new Date() : null],
    );
  }
  return backupId;
}

export async function scoreOf(db: pg.Pool | pg.PoolClient, domainRecordId: string) {
  const { rows } = await db.query<{
    score: number;
    breakdown: { factors: { key: string; points: number }[] };
  }>('SELECT score, breakdown FROM sovereignty_scores WHERE domain_record_id = $1', [
    domainRecordId,
  ]);
  const row = rows[0];
  if (!row) throw new Error('no score row');
  const factor = (key: string) => row.breakdown.factors.find((f) => f.key === key)?.points;
  return { score: row.score, factor, breakdown: row.breakdown };
}
