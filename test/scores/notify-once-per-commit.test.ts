// Every NOTIFY channel fires once per committed change, never for a rolled-back transaction,
// and two identical changes in one transaction are two notifications (each has its own id).
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { freshDatabase } from '../support/database';
import { family, pubkyDomain, randomKey, storePacket, user } from '../support/schema-fixtures';

const CHANNELS = [
  'pubky_domain_changes',
  'pkarr_record_changes',
  'sovereignty_score_changes',
  'domain_migration_changes',
  'guardian_changes',
] as const;

const db = await freshDatabase();
await migrate(db.pool);
const listener = new pg.Client({ connectionString: db.url });
await listener.connect();
const received: { channel: string; payload: Record<string, unknown> }[] = [];
listener.on('notification', (n) =>
  received.push({ channel: n.channel, payload: JSON.parse(n.payload ?? '{}') }),
);
for (const channel of [...CHANNELS, 'test_marker']) await listener.query(`LISTEN ${channel}`);
afterAll(() => listener.end());

/**
 * A listener receives notifications in commit order, whatever their channel: once a marker
 * sent after some commit has arrived, everything committed before it has arrived too.
 */
let markers = 0;
async function sync(): Promise<number> {
  const marker = String(++markers);
  await db.pool.query("SELECT pg_notify('test_marker', $1)", [JSON.stringify({ marker })]);
  for (;;) {
    const at = received.findIndex(
      (n) => n.channel === 'test_marker' && n.payload['marker'] === marker,
    );
    if (at >= 0) return at;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `work` and returns the notifications it caused, by channel. */
async function notificationsOf(work: () => Promise<unknown>) {
  const start = await sync();
  await work();
  const end = await sync();
  const batch = received.slice(start + 1, end);
  return Object.fromEntries(
    CHANNELS.map((c) => [c, batch.filter((n) => n.channel === c).map((n) => n.payload)]),
  ) as Record<(typeof CHANNELS)[number], Record<string, unknown>[]>;
}

async function inTransaction(commit: boolean, work: (client: pg.PoolClient) => Promise<unknown>) {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    client.release();
  }
}

describe('NOTIFY channels', () => {
  it('fire once for each committed change and not at all for rolled-back ones', async () => {
    const familyId = await family(db.pool);
    const created = await notificationsOf(() =>
      inTransaction(true, (c) => pubkyDomain(c, familyId)),
    );
    expect(created.pubky_domain_changes).toHaveLength(1);
    expect(created.pubky_domain_changes[0]).toMatchObject({ op: 'insert', familyId });
    expect(created.sovereignty_score_changes.length).toBeGreaterThanOrEqual(1);

    const rolledBack = await notificationsOf(() =>
      inTransaction(false, (c) => pubkyDomain(c, familyId)),
    );
    for (const channel of CHANNELS) expect(rolledBack[channel], channel).toEqual([]);

    const domain = await pubkyDomain(db.pool, familyId);
    const packet = await notificationsOf(() =>
      storePacket(db.pool, domain.pubkyDomainId, Date.now() * 1000),
    );
    expect(packet.pkarr_record_changes).toHaveLength(1);
    expect(packet.pkarr_record_changes[0]).toMatchObject({
      op: 'insert',
      pubkyDomainIds: [domain.pubkyDomainId],
      familyId,
    });
    expect(packet.sovereignty_score_changes).toHaveLength(1);
    expect(packet.sovereignty_score_changes[0]).toMatchObject({
      op: 'insert',
      domainRecordIds: [domain.domainRecordId],
      scores: [expect.any(Number)],
      familyId,
    });

    const migration = await notificationsOf(() =>
      db.pool.query(
        "INSERT INTO domain_migrations (domain_record_id, family_id, direction) VALUES ($1, $2, 'dns_to_pubky')",
        [domain.domainRecordId, familyId],
      ),
    );
    expect(migration.domain_migration_changes).toEqual([
      expect.objectContaining({ op: 'insert', status: 'pending' }),
    ]);
    const progressed = await notificationsOf(() =>
      db.pool.query(
        "UPDATE domain_migrations SET status = 'in_progress' WHERE domain_record_id = $1",
        [domain.domainRecordId],
      ),
    );
    expect(progressed.domain_migration_changes).toEqual([
      expect.objectContaining({ op: 'update', status: 'in_progress', previousStatus: 'pending' }),
    ]);

    const guardianUser = await user(db.pool, 'Grandma');
    const guardian = await notificationsOf(() =>
      db.pool.query(
        'INSERT INTO federation_guardians (family_id, user_id, guardian_public_key) VALUES ($1, $2, $3)',
        [familyId, guardianUser, randomKey()],
      ),
    );
    expect(guardian.guardian_changes).toEqual([
      expect.objectContaining({ op: 'insert', guardianUserId: guardianUser, familyId }),
    ]);
  });

  it('two identical changes in one transaction are two notifications, delivered at commit', async () => {
    const familyId = await family(db.pool);
    const domain = await pubkyDomain(db.pool, familyId);
    const result = await notificationsOf(() =>
      inTransaction(true, async (c) => {
        await c.query("UPDATE pubky_domains SET status = 'suspended' WHERE id = $1", [
          domain.pubkyDomainId,
        ]);
        await c.query("UPDATE pubky_domains SET status = 'suspended' WHERE id = $1", [
          domain.pubkyDomainId,
        ]);
      }),
    );
    expect(result.pubky_domain_changes).toHaveLength(2);
    const ids = result.pubky_domain_changes.map((p) => p['eventId']);
    expect(new Set(ids).size).toBe(2);
  });

  it('a statement that changes many packets names each change (packet, score) once, grouped per family', async () => {
    const families = [await family(db.pool), await family(db.pool)];
    const domains: Awaited<ReturnType<typeof pubkyDomain>>[] = [];
    for (let i = 0; i < 250; i++) domains.push(await pubkyDomain(db.pool, families[i % 2]!));
    const familyOf = new Map(domains.map((d, i) => [d.pubkyDomainId, families[i % 2]]));
    const ts = Date.now() * 1000;
    const result = await notificationsOf(() =>
      db.pool.query(
        `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp, records)
         SELECT id, family_id, decode(repeat('ab', 100), 'hex'), $2, '[]' FROM pubky_domains
         WHERE id = ANY ($1::uuid[])`,
        [domains.map((d) => d.pubkyDomainId), ts],
      ),
    );
    // 125 changes per family: two payloads each (at most 100 changes a payload).
    expect(result.pkarr_record_changes).toHaveLength(4);
    const named: string[] = [];
    for (const payload of result.pkarr_record_changes) {
      const ids = payload['pubkyDomainIds'] as string[];
      expect(payload['op']).toBe('insert');
      expect(payload['packetTimestamps']).toEqual(ids.map(() => ts));
      for (const id of ids) expect(familyOf.get(id)).toBe(payload['familyId']);
      named.push(...ids);
    }
    expect(named.sort()).toEqual(domains.map((d) => d.pubkyDomainId).sort());
    // Each domain's score moved (it has a signed packet now): named once, grouped the same way.
    const familyOfRecord = new Map(domains.map((d, i) => [d.domainRecordId, families[i % 2]]));
    expect(result.sovereignty_score_changes).toHaveLength(4);
    const rescored: string[] = [];
    for (const payload of result.sovereignty_score_changes) {
      const ids = payload['domainRecordIds'] as string[];
      expect(payload['scores']).toEqual(ids.map(() => expect.any(Number)));
      for (const id of ids) expect(familyOfRecord.get(id)).toBe(payload['familyId']);
      rescored.push(...ids);
    }
    expect(rescored.sort()).toEqual(domains.map((d) => d.domainRecordId).sort());

    const rolledBack = await notificationsOf(() =>
      inTransaction(false, (c) =>
        c.query('UPDATE pkarr_records SET packet_timestamp = packet_timestamp + 1'),
      ),
    );
    expect(rolledBack.pkarr_record_changes).toEqual([]);
  });

  it('payloads stay below the 8000-byte NOTIFY limit, even for the largest statements', async () => {
    // Its own notifications: the largest grouped payloads (100 packets of one family in one
    // statement, each with long records) and a score change per domain.
    const familyId = await family(db.pool);
    const domains: Awaited<ReturnType<typeof pubkyDomain>>[] = [];
    for (let i = 0; i < 150; i++) domains.push(await pubkyDomain(db.pool, familyId));
    const records = JSON.stringify(
      Array.from({ length: 4 }, (_, i) => ({
        type: 'TXT',
        name: `t${i}`,
        ttl: 60,
        strings: ['x'.repeat(200)],
      })),
    );
    const result = await notificationsOf(() =>
      db.pool.query(
        `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp, records)
         SELECT id, family_id, decode(repeat('ab', 500), 'hex'), $2, $3::jsonb FROM pubky_domains
         WHERE id = ANY ($1::uuid[])`,
        [domains.map((d) => d.pubkyDomainId), Date.now() * 1000, records],
      ),
    );
    const sizes = Object.values(result)
      .flat()
      .map((payload) => Buffer.byteLength(JSON.stringify(payload)));
    expect(result.pkarr_record_changes.length).toBeGreaterThanOrEqual(2);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...sizes)).toBeGreaterThan(1000); // the scan looks at real, large payloads
    for (const size of sizes) expect(size).toBeLessThan(7900);
  });
});
