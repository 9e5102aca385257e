// A statement that writes many packets (a sync upload, an import) takes another path through the
// packet trigger than a one-packet statement (set-based lookups, planned per statement).
// Both must move scores alike: the same changes, made one row at a time to one set of domains and
// in single statements to a twin set, leave every twin with the same breakdown and history.
import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import { migrate } from '../../server/db/migrate';
import { freshDatabase } from '../support/database';
import { confirm, family, pubkyDomain, type PubkyDomainRows } from '../support/schema-fixtures';

const db = await freshDatabase();
await migrate(db.pool);
const NOW_US = Date.now() * 1000;

const PUBLIC = [{ type: 'A', name: '@', ttl: 300, address: '192.0.2.1' }];
const OTHER_PUBLIC = [{ type: 'TXT', name: '@', ttl: 300, strings: ['v=1'] }];
const PRIVATE = [{ type: 'A', name: 'nas', ttl: 300, address: '192.168.1.20' }];

interface PacketChange {
  readonly domain: number;
  readonly timestamp: number;
  readonly records: unknown[];
}

const UPSERT = `
  INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp, records)
  SELECT c.id, pd.family_id, decode(repeat('ab', 100), 'hex'), ts, rec
  FROM unnest($1::uuid[], $2::bigint[], $3::jsonb[]) AS c(id, ts, rec) JOIN pubky_domains pd ON pd.id = c.id
  ON CONFLICT (pubky_domain_id) DO UPDATE
    SET packet = excluded.packet, packet_timestamp = excluded.packet_timestamp, records = excluded.records`;

/** The changes as one statement, or as one statement per row. */
async function upsert(
  pool: pg.Pool,
  domains: readonly PubkyDomainRows[],
  changes: readonly PacketChange[],
  oneStatement: boolean,
): Promise<void> {
  const groups = oneStatement ? [changes] : changes.map((c) => [c]);
  for (const group of groups) {
    await pool.query(UPSERT, [
      group.map((c) => domains[c.domain]!.pubkyDomainId),
      group.map((c) => c.timestamp),
      group.map((c) => JSON.stringify(c.records)),
    ]);
  }
}

async function eachWay(
  run: (domains: readonly PubkyDomainRows[], oneStatement: boolean) => Promise<void>,
  rows: { one: readonly PubkyDomainRows[]; many: readonly PubkyDomainRows[] },
): Promise<void> {
  await run(rows.one, false);
  await run(rows.many, true);
}

async function scoresOf(domains: readonly PubkyDomainRows[]) {
  const { rows } = await db.pool.query<{ breakdown: unknown; evidence: unknown; history: number }>(
    `SELECT s.breakdown, s.evidence,
            (SELECT count(*)::int FROM sovereignty_score_history h
             WHERE h.domain_record_id = s.domain_record_id) AS history
     FROM unnest($1::uuid[]) WITH ORDINALITY AS d(id, i)
     JOIN sovereignty_scores s ON s.domain_record_id = d.id
     ORDER BY d.i`,
    [domains.map((d) => d.domainRecordId)],
  );
  return rows;
}

describe('a many-packet statement scores like one packet at a time', () => {
  it('stores, supersedes, re-dates and deletes packets with the same scores and history', async () => {
    const familyId = await family(db.pool);
    const make = async () => {
      const domains: PubkyDomainRows[] = [];
      for (let i = 0; i < 7; i++) domains.push(await pubkyDomain(db.pool, familyId));
      return domains;
    };
    const rows = { one: await make(), many: await make() };
    const expectAlike = async (step: string) => {
      const [one, many] = [await scoresOf(rows.one), await scoresOf(rows.many)];
      expect(one, step).toHaveLength(7);
      expect(many, step).toEqual(one);
    };

    // 1. First packets (INSERT), one of them publishing a private address.
    await eachWay(
      (domains, one) =>
        upsert(
          db.pool,
          domains,
          [0, 1, 2, 3, 4, 5, 6].map((domain) => ({
            domain,
            timestamp: NOW_US,
            records: domain === 5 ? PRIVATE : PUBLIC,
          })),
          one,
        ),
      rows,
    );
    await expectAlike('first packets');

    // 2. The DHT and a relay confirm three of them (the same one-row writes for both sets).
    for (const domains of [rows.one, rows.many]) {
      for (const i of [0, 1, 2]) {
        await confirm(db.pool, domains[i]!.pubkyDomainId, 'dht', NOW_US);
        await confirm(db.pool, domains[i]!.pubkyDomainId, 'https://relay-a.example', NOW_US);
      }
    }
    // The seventh has confirmations on both sides of the next change, and one within it.
    for (const domains of [rows.one, rows.many]) {
      await confirm(db.pool, domains[6]!.pubkyDomainId, 'https://relay-a.example', NOW_US - 1);
      await confirm(db.pool, domains[6]!.pubkyDomainId, 'dht', NOW_US);
      await confirm(db.pool, domains[6]!.pubkyDomainId, 'https://relay-b.example', NOW_US + 5);
    }
    await expectAlike('confirmed');
    const fresh = await scoresOf(rows.many);

    // 3. New packets (UPDATE): a confirmed one outdated, a confirmed one rewritten unchanged, a
    //    confirmed one gaining a private address, other records with no private address, a
    //    private address dropped, and one left as it was.
    await eachWay(
      (domains, one) =>
        upsert(
          db.pool,
          domains,
          [
            { domain: 0, timestamp: NOW_US + 1, records: PUBLIC },
            { domain: 1, timestamp: NOW_US, records: PUBLIC },
            { domain: 2, timestamp: NOW_US + 1, records: PRIVATE },
            { domain: 3, timestamp: NOW_US + 1, records: OTHER_PUBLIC },
            { domain: 5, timestamp: NOW_US + 1, records: PUBLIC },
            { domain: 6, timestamp: NOW_US + 1, records: PUBLIC },
          ],
          one,
        ),
      rows,
    );
    await expectAlike('superseded');
    const superseded = await scoresOf(rows.many);
    // The outdated confirmations no longer count; the rewrite kept its freshness.
    expect(superseded[0]!.evidence).toMatchObject({ freshRelays: 0, freshOnDht: false });
    expect(superseded[1]!.evidence).toEqual(fresh[1]!.evidence);
    expect(superseded[2]!.evidence).toMatchObject({ freshOnDht: false, privateAddresses: 1 });
    expect(superseded[5]!.evidence).toMatchObject({ privateAddresses: 0 });
    expect(superseded[3]!.history).toBe(fresh[3]!.history);
    // The DHT confirmed the packet now superseded; the later relay confirmation still counts.
    expect(fresh[6]!.evidence).toMatchObject({ freshRelays: 1, freshOnDht: true });
    expect(superseded[6]!.evidence).toMatchObject({ freshRelays: 1, freshOnDht: false });

    // 4. Moved back onto the confirmed timestamp (only SQL does that): fresh again.
    await eachWay(async (domains, one) => {
      const ids = [0, 2].map((i) => domains[i]!.pubkyDomainId);
      for (const group of one ? [ids] : ids.map((id) => [id])) {
        await db.pool.query(
          'UPDATE pkarr_records SET packet_timestamp = $2 WHERE pubky_domain_id = ANY ($1)',
          [group, NOW_US],
        );
      }
    }, rows);
    await expectAlike('re-dated');
    expect((await scoresOf(rows.many))[0]!.evidence).toMatchObject({ freshOnDht: true });

    // 5. Packets deleted.
    await eachWay(async (domains, one) => {
      const ids = [1, 4, 5].map((i) => domains[i]!.pubkyDomainId);
      for (const group of one ? [ids] : ids.map((id) => [id])) {
        await db.pool.query('DELETE FROM pkarr_records WHERE pubky_domain_id = ANY ($1)', [group]);
      }
    }, rows);
    await expectAlike('deleted');
    expect((await scoresOf(rows.many))[4]!.evidence).toMatchObject({ hasSignedPacket: false });
  });

  it('refuses to move a stored packet to another domain (it is signed by its own key)', async () => {
    const familyId = await family(db.pool);
    const [a, b] = [await pubkyDomain(db.pool, familyId), await pubkyDomain(db.pool, familyId)];
    await upsert(db.pool, [a], [{ domain: 0, timestamp: NOW_US, records: PUBLIC }], true);
    await expect(
      db.pool.query('UPDATE pkarr_records SET pubky_domain_id = $2 WHERE pubky_domain_id = $1', [
        a.pubkyDomainId,
        b.pubkyDomainId,
      ]),
    ).rejects.toMatchObject({
      code: '23514',
      message: expect.stringContaining('belongs to its domain'),
    });
    const { rows } = await db.pool.query<{ id: string }>(
      'SELECT pubky_domain_id AS id FROM pkarr_records WHERE pubky_domain_id = ANY ($1)',
      [[a.pubkyDomainId, b.pubkyDomainId]],
    );
    expect(rows.map((r) => r.id)).toEqual([a.pubkyDomainId]);
  });
});
