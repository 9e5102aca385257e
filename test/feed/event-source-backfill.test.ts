// The feed's one LISTEN connection lost while thousands of events commit: on reconnecting it
// backfills all of them from the log, page after page, packet-batch rows expanded, each once and
// in seq order.
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { FeedEventSource, type StoredEvent } from '../../server/feed/event-source';
import { freshDatabase } from '../support/database';
import { family, pubkyDomain } from '../support/schema-fixtures';

const db = await freshDatabase();
await migrate(db.pool);
const source = new FeedEventSource(db.url, db.pool);
afterAll(() => source.close());

describe('feed event source', () => {
  it('backfills more than a page of missed events, batch rows included, once and in order', async () => {
    const familyId = await family(db.pool);
    const domains: Awaited<ReturnType<typeof pubkyDomain>>[] = [];
    for (let i = 0; i < 30; i++) domains.push(await pubkyDomain(db.pool, familyId));
    await source.start();
    const from = source.position;
    const received: StoredEvent[] = [];
    source.on('event', (event) => received.push(event));

    // Its LISTEN connection dies; while it is gone, 2,500 events and a 30-packet statement commit.
    const { rowCount } = await db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN feed_events'",
    );
    expect(rowCount).toBe(1);
    await db.pool.query(
      `SELECT feed_append((SELECT jsonb_agg(jsonb_build_object('familyId', $1::uuid,
         'kind', 'guardian_event', 'entity', '{}'::jsonb, 'data', jsonb_build_object('n', i)))
         FROM generate_series(1, 2500) i))`,
      [familyId],
    );
    await db.pool.query(
      `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp, records)
       SELECT id, family_id, decode(repeat('ab', 80), 'hex'), 7, '[]' FROM pubky_domains
       WHERE id = ANY ($1::uuid[])`,
      [domains.map((d) => d.pubkyDomainId)],
    );

    // Every seq the log holds after `from`, a batch row counting once per event.
    const { rows } = await db.pool.query<{ first: string; last: string }>(
      'SELECT seq AS first, coalesce(last_seq, seq) AS last FROM feed_events WHERE seq > $1 ORDER BY seq',
      [from],
    );
    const expected = rows.flatMap((r) =>
      Array.from({ length: Number(r.last) - Number(r.first) + 1 }, (_, i) => Number(r.first) + i),
    );
    expect(expected.length).toBeGreaterThan(2530);
    for (let waited = 0; received.length < expected.length && waited < 15_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.map((e) => e.seq)).toEqual(expected);
    expect(received.filter((e) => e.kind === 'guardian_event').map((e) => e.data['n'])).toEqual(
      Array.from({ length: 2500 }, (_, i) => i + 1),
    );
    const packets = received.filter((e) => e.kind === 'pkarr_record_event');
    expect(packets.map((e) => e.entity['pubkyDomainId']).sort()).toEqual(
      domains.map((d) => d.pubkyDomainId).sort(),
    );
  });
});
