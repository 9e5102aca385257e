// A packet row bounds its domain's confirmations (`confirmed_timestamp_ceiling`)
// so the packet trigger reads confirmations only when a newer packet can outdate one. The bound
// must never be below the truth, wherever the confirmation came from and in whatever order, and
// keeping it must not read as a change to anyone listening.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { freshDatabase } from '../support/database';
import { confirm, family, pubkyDomain, scoreOf, storePacket } from '../support/schema-fixtures';

const db = await freshDatabase();
await migrate(db.pool);
const NOW_US = Date.now() * 1000;

async function ceilingOf(pool: pg.Pool, pubkyDomainId: string): Promise<string | null> {
  const { rows } = await pool.query<{ ceiling: string | null }>(
    'SELECT confirmed_timestamp_ceiling::text AS ceiling FROM pkarr_records WHERE pubky_domain_id = $1',
    [pubkyDomainId],
  );
  return rows[0]!.ceiling;
}

async function evidenceOf(pool: pg.Pool, domainRecordId: string) {
  const { rows } = await pool.query<{ evidence: Record<string, unknown> }>(
    'SELECT evidence FROM sovereignty_scores WHERE domain_record_id = $1',
    [domainRecordId],
  );
  return rows[0]!.evidence;
}

/** Packet events in the feed (one-row events and the events of batch rows) for a domain. */
async function packetEventsOf(pool: pg.Pool, pubkyDomainId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM feed_events
     WHERE kind = 'pkarr_record_event'
       AND (entity ->> 'pubkyDomainId' = $1 OR $1 = ANY (pubky_domain_ids::text[]))`,
    [pubkyDomainId],
  );
  return rows[0]!.n;
}

describe('the confirmation ceiling of a packet row', () => {
  it('rises with confirmations, never falls, and is not a packet change', async () => {
    const domain = await pubkyDomain(db.pool, await family(db.pool));
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    expect(await ceilingOf(db.pool, domain.pubkyDomainId)).toBeNull();
    const events = await packetEventsOf(db.pool, domain.pubkyDomainId);

    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US);
    expect(await ceilingOf(db.pool, domain.pubkyDomainId)).toBe(String(NOW_US));
    await confirm(db.pool, domain.pubkyDomainId, 'https://relay-a.example', NOW_US + 7);
    expect(await ceilingOf(db.pool, domain.pubkyDomainId)).toBe(String(NOW_US + 7));
    // Lowered or deleted confirmations leave it (above the truth is allowed, below never).
    await confirm(db.pool, domain.pubkyDomainId, 'https://relay-a.example', NOW_US - 5);
    await db.pool.query('DELETE FROM pkarr_publications WHERE pubky_domain_id = $1', [
      domain.pubkyDomainId,
    ]);
    expect(await ceilingOf(db.pool, domain.pubkyDomainId)).toBe(String(NOW_US + 7));
    // None of that stored a packet: no packet event, and the packet row is as it was.
    expect(await packetEventsOf(db.pool, domain.pubkyDomainId)).toBe(events);
  });

  it('a packet stored after its domain was confirmed takes the ceiling, so the next packet outdates the confirmation', async () => {
    const domain = await pubkyDomain(db.pool, await family(db.pool));
    // Published straight to the relay and confirmed before the app synced it here.
    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US);
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    expect(await ceilingOf(db.pool, domain.pubkyDomainId)).toBe(String(NOW_US));
    expect(await evidenceOf(db.pool, domain.domainRecordId)).toMatchObject({ freshOnDht: true });
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US + 1);
    expect(await evidenceOf(db.pool, domain.domainRecordId)).toMatchObject({ freshOnDht: false });
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('censorship_resistance')).toBe(4);
  });

  it('a deleted packet stored again takes the ceiling again', async () => {
    const domain = await pubkyDomain(db.pool, await family(db.pool));
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US + 3);
    await db.pool.query('DELETE FROM pkarr_records WHERE pubky_domain_id = $1', [
      domain.pubkyDomainId,
    ]);
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US + 3);
    expect(await ceilingOf(db.pool, domain.pubkyDomainId)).toBe(String(NOW_US + 3));
    expect(await evidenceOf(db.pool, domain.domainRecordId)).toMatchObject({ freshOnDht: true });
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US + 4);
    expect(await evidenceOf(db.pool, domain.domainRecordId)).toMatchObject({ freshOnDht: false });
  });

  it('a first confirmation racing a newer packet waits for it, and the score reads the newer packet', async () => {
    const domain = await pubkyDomain(db.pool, await family(db.pool));
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    const writer = await db.pool.connect();
    const confirmer = await db.pool.connect();
    try {
      await writer.query('BEGIN');
      await storePacket(writer, domain.pubkyDomainId, NOW_US + 1);
      // The relay confirms the packet that is being replaced, in a transaction of its own: it
      // raises the ceiling of the row the writer holds, so it waits for the writer.
      const { rows } = await confirmer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const confirming = confirm(confirmer, domain.pubkyDomainId, 'dht', NOW_US);
      for (let waited = 0; ; waited += 10) {
        const { rows: state } = await db.pool.query<{ waiting: boolean }>(
          "SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1",
          [rows[0]!.pid],
        );
        if (state[0]?.waiting) break;
        expect(waited).toBeLessThan(5000);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await writer.query('COMMIT');
      await confirming;
    } finally {
      writer.release();
      confirmer.release();
    }
    // The confirmation is of the older packet: it does not count for the stored one.
    expect(await evidenceOf(db.pool, domain.domainRecordId)).toMatchObject({ freshOnDht: false });
    expect(await ceilingOf(db.pool, domain.pubkyDomainId)).toBe(String(NOW_US));
  });
});
