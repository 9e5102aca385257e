// A packet row carries its family and a statement's feed row keeps only its domains' ids
// (docs/performance.md): the packet trigger then looks no domain up. Nothing anyone reads may
// differ: the events keep every domain's record id and key, even once the domain is deleted, and
// the family stays the domain's.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { FeedEventSource, type StoredEvent } from '../../server/feed/event-source';
import { freshDatabase } from '../support/database';
import { family, pubkyDomain, type PubkyDomainRows } from '../support/schema-fixtures';

const db = await freshDatabase();
await migrate(db.pool);
const source = new FeedEventSource(db.url, db.pool);
afterAll(() => source.close());

/** One statement storing a packet for each domain, as the server's sync does. */
async function storeTogether(pool: pg.Pool, domains: readonly PubkyDomainRows[], ts: number) {
  await pool.query(
    `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp, records)
     SELECT id, family_id, decode(repeat('ab', 80), 'hex'), $2, '[{"type":"TXT","name":"@","ttl":60,"text":"x"}]'
     FROM pubky_domains WHERE id = ANY ($1::uuid[])
     ON CONFLICT (pubky_domain_id) DO UPDATE SET packet_timestamp = excluded.packet_timestamp`,
    [domains.map((d) => d.pubkyDomainId), ts],
  );
}

const identityOf = (event: StoredEvent) => ({
  pubkyDomainId: event.entity['pubkyDomainId'],
  domainRecordId: event.entity['domainRecordId'],
  publicKey: event.entity['publicKey'],
});

describe('packet rows carry their family', () => {
  it("a batch row's events name each domain's record and key, from its tombstone once it is deleted", async () => {
    const familyId = await family(db.pool);
    const domains = [];
    for (let i = 0; i < 3; i++) domains.push(await pubkyDomain(db.pool, familyId));
    const { rows: last } = await db.pool.query<{ seq: string }>(
      'SELECT coalesce(max(coalesce(last_seq, seq)), 0) AS seq FROM feed_events',
    );
    const from = Number(last[0]!.seq);
    await storeTogether(db.pool, domains, 5);

    // One row for the statement, holding the ids only.
    const { rows } = await db.pool.query(
      `SELECT domain_record_ids, public_keys, cardinality(pubky_domain_ids) AS n FROM feed_events
       WHERE seq > $1 AND last_seq IS NOT NULL AND kind = 'pkarr_record_event'`,
      [from],
    );
    expect(rows).toEqual([{ domain_record_ids: null, public_keys: null, n: 3 }]);

    const expected = domains.map((d) => ({
      pubkyDomainId: d.pubkyDomainId,
      domainRecordId: d.domainRecordId,
      publicKey: d.publicKey,
    }));
    const packetEvents = async () =>
      (await source.readSince(from, [familyId])).filter((e) => e.kind === 'pkarr_record_event');
    const read = await packetEvents();
    expect(read.map(identityOf).sort(byDomain)).toEqual(expected.sort(byDomain));
    expect(read.every((e) => e.data['packetTimestamp'] === 5)).toBe(true);

    // Two of the domains are deleted (their packet rows with them): the events read the same.
    await db.pool.query('DELETE FROM pubky_domains WHERE id = ANY ($1::uuid[])', [
      domains.slice(0, 2).map((d) => d.pubkyDomainId),
    ]);
    expect(await packetEvents()).toEqual(read);
  });

  it('pruning drops a tombstone with the events that could name its domain', async () => {
    const familyId = await family(db.pool);
    const [old, recent] = [
      await pubkyDomain(db.pool, familyId),
      await pubkyDomain(db.pool, familyId),
    ];
    await db.pool.query('DELETE FROM pubky_domains WHERE id = ANY ($1::uuid[])', [
      [old.pubkyDomainId, recent.pubkyDomainId],
    ]);
    await db.pool.query(
      "UPDATE pubky_domain_tombstones SET deleted_at = now() - interval '8 days' WHERE id = $1",
      [old.pubkyDomainId],
    );
    await source.prune(7);
    const { rows } = await db.pool.query<{ id: string }>(
      'SELECT id FROM pubky_domain_tombstones WHERE id = ANY ($1::uuid[])',
      [[old.pubkyDomainId, recent.pubkyDomainId]],
    );
    expect(rows.map((r) => r.id)).toEqual([recent.pubkyDomainId]);
  });

  it("a packet row names its domain's family, and no other", async () => {
    const [mine, theirs] = [await family(db.pool), await family(db.pool)];
    const domain = await pubkyDomain(db.pool, mine);
    const store = (familyId: string) =>
      db.pool.query(
        `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp)
         VALUES ($1, $2, decode(repeat('ab', 80), 'hex'), 1)`,
        [domain.pubkyDomainId, familyId],
      );
    await expect(store(theirs)).rejects.toMatchObject({ code: '23503' });
    await store(mine);
    await expect(
      db.pool.query('UPDATE pkarr_records SET family_id = $2 WHERE pubky_domain_id = $1', [
        domain.pubkyDomainId,
        theirs,
      ]),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it("a domain's family, record and public key cannot change", async () => {
    const [familyId, other] = [await family(db.pool), await family(db.pool)];
    const [a, b] = [await pubkyDomain(db.pool, familyId), await pubkyDomain(db.pool, familyId)];
    await db.pool.query('DELETE FROM pubky_domains WHERE id = $1', [b.pubkyDomainId]);
    for (const [column, value] of [
      ['family_id', other],
      ['public_key', b.publicKey],
      ['domain_record_id', b.domainRecordId],
    ] as const) {
      await expect(
        db.pool.query(`UPDATE pubky_domains SET ${column} = $2 WHERE id = $1`, [
          a.pubkyDomainId,
          value,
        ]),
      ).rejects.toMatchObject({ code: '23514' });
    }
    // Writing the same values (as an ORM updating every column does) is no change.
    await db.pool.query('UPDATE pubky_domains SET public_key = public_key WHERE id = $1', [
      a.pubkyDomainId,
    ]);
  });

  it('packets deleted with their domains name their family in pkarr_record_changes', async () => {
    const familyId = await family(db.pool);
    const domains = [await pubkyDomain(db.pool, familyId), await pubkyDomain(db.pool, familyId)];
    await storeTogether(db.pool, domains, 9);
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const payloads: Record<string, unknown>[] = [];
      listener.on('notification', (m) => payloads.push(JSON.parse(m.payload!)));
      await listener.query('LISTEN pkarr_record_changes');
      await db.pool.query('DELETE FROM pubky_domains WHERE id = ANY ($1::uuid[])', [
        domains.map((d) => d.pubkyDomainId),
      ]);
      for (let waited = 0; payloads.length === 0 && waited < 5_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(payloads).toEqual([
        expect.objectContaining({
          op: 'delete',
          familyId,
          pubkyDomainIds: expect.arrayContaining(domains.map((d) => d.pubkyDomainId)),
        }),
      ]);
    } finally {
      await listener.end();
    }
  });
});

function byDomain(x: { pubkyDomainId: unknown }, y: { pubkyDomainId: unknown }): number {
  return String(x.pubkyDomainId).localeCompare(String(y.pubkyDomainId));
}
