// Scores come from triggers as evidence rows change (never from manual calls), and hold the
// anchoring cases of docs/sovereignty-score.md.
import { describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { freshDatabase } from '../support/database';
import {
  confirm,
  family,
  guardianBackup,
  pubkyDomain,
  scoreOf,
  storePacket,
} from '../support/schema-fixtures';

const db = await freshDatabase();
await migrate(db.pool);
const NOW_US = Date.now() * 1000;

describe('sovereignty scores computed by triggers', () => {
  it('a traditional-DNS-only domain scores at most 25', async () => {
    const familyId = await family(db.pool);
    const { rows } = await db.pool.query<{ id: string }>(
      "INSERT INTO domain_records (family_id, name, domain_type) VALUES ($1, 'example.com', 'traditional') RETURNING id",
      [familyId],
    );
    const { score } = await scoreOf(db.pool, rows[0]!.id);
    expect(score).toBeLessThanOrEqual(25);
    const cached = await db.pool.query(
      'SELECT sovereignty_score FROM domain_records WHERE id = $1',
      [rows[0]!.id],
    );
    expect(cached.rows[0].sovereignty_score).toBe(score);
  });

  it('local custody, 3-of-5 acknowledged guardians, fresh on 2 relays and the DHT, self-hosted homeserver: 100', async () => {
    const familyId = await family(db.pool);
    const domain = await pubkyDomain(db.pool, familyId, {
      custody: 'os-keychain',
      selfHosted: true,
    });
    expect((await scoreOf(db.pool, domain.domainRecordId)).score).toBeLessThan(60);
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    await confirm(db.pool, domain.pubkyDomainId, 'https://relay-a.example', NOW_US);
    await confirm(db.pool, domain.pubkyDomainId, 'https://relay-b.example', NOW_US);
    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US);
    await guardianBackup(db.pool, familyId, domain.keypairId, 3, 5, 3);
    const { score, breakdown } = await scoreOf(db.pool, domain.domainRecordId);
    expect(score).toBe(100);
    expect(breakdown.factors.map((f) => f.points)).toEqual([20, 20, 20, 20, 20]);
  });

  it('records left stale for over 24 hours lower Censorship Resistance on the next evaluation', async () => {
    const familyId = await family(db.pool);
    const domain = await pubkyDomain(db.pool, familyId, { selfHosted: true });
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    for (const target of ['https://relay-a.example', 'https://relay-b.example', 'dht']) {
      await confirm(db.pool, domain.pubkyDomainId, target, NOW_US);
    }
    const fresh = await scoreOf(db.pool, domain.domainRecordId);
    expect(fresh.factor('censorship_resistance')).toBe(20);
    // The last confirmations are now 25 hours old (no republish since).
    await db.pool.query(
      "UPDATE pkarr_publications SET confirmed_at = now() - interval '25 hours' WHERE pubky_domain_id = $1",
      [domain.pubkyDomainId],
    );
    const stale = await scoreOf(db.pool, domain.domainRecordId);
    expect(stale.factor('censorship_resistance')).toBe(4);
    expect(stale.score).toBeLessThan(fresh.score);
  });

  it('time passing alone is caught by rescore_stale()', async () => {
    const familyId = await family(db.pool);
    const domain = await pubkyDomain(db.pool, familyId);
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US, 23.99);
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('censorship_resistance')).toBe(
      12,
    );
    // Pretend the last scoring happened an hour ago and the confirmation is now 25 hours old,
    // without touching any evidence row's trigger.
    await db.pool.query('ALTER TABLE pkarr_publications DISABLE TRIGGER USER');
    await db.pool.query(
      "UPDATE pkarr_publications SET confirmed_at = now() - interval '25 hours' WHERE pubky_domain_id = $1",
      [domain.pubkyDomainId],
    );
    await db.pool.query('ALTER TABLE pkarr_publications ENABLE TRIGGER USER');
    await db.pool.query(
      "UPDATE sovereignty_scores SET computed_at = now() - interval '1 hour' WHERE domain_record_id = $1",
      [domain.domainRecordId],
    );
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('censorship_resistance')).toBe(
      12,
    );
    await db.pool.query('SELECT rescore_stale()');
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('censorship_resistance')).toBe(4);
  });

  it('a confirmation of an older packet does not count as fresh', async () => {
    const familyId = await family(db.pool);
    const domain = await pubkyDomain(db.pool, familyId);
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US - 1);
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('censorship_resistance')).toBe(4);
  });

  it('publishing private addresses costs Privacy points', async () => {
    const familyId = await family(db.pool);
    const domain = await pubkyDomain(db.pool, familyId);
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US, [
      { type: 'A', name: '@', ttl: 60, address: '192.0.2.1' },
    ]);
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('privacy')).toBe(20);
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US + 1, [
      { type: 'A', name: 'nas', ttl: 60, address: '192.168.1.20' },
      { type: 'AAAA', name: 'nas', ttl: 60, address: 'fd00::20' },
    ]);
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('privacy')).toBe(10);
  });

  it('keeps a history of every change for charts', async () => {
    const familyId = await family(db.pool);
    const domain = await pubkyDomain(db.pool, familyId);
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US);
    const history = async () =>
      (
        await db.pool.query<{ score: number }>(
          'SELECT score FROM sovereignty_score_history WHERE domain_record_id = $1 ORDER BY id',
          [domain.domainRecordId],
        )
      ).rows.map((r) => r.score);
    const before = await history();
    // Created, keyed, packet stored, confirmed on the DHT: four steps, each scored higher.
    expect(before).toHaveLength(4);
    expect([...before].sort((a, b) => a - b)).toEqual(before);
    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US); // same evidence: no new entry
    expect(await history()).toEqual(before);
  });

  it('a newer packet re-scores its domain only when it moves what the score reads', async () => {
    const familyId = await family(db.pool);
    const domain = await pubkyDomain(db.pool, familyId);
    const scoredAt = async () =>
      (
        await db.pool.query<{ at: string }>(
          'SELECT computed_at::text AS at FROM sovereignty_scores WHERE domain_record_id = $1',
          [domain.domainRecordId],
        )
      ).rows[0]!.at;
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US);
    const first = await scoredAt();
    // Same records, newer timestamp, nothing confirmed: the evidence is as it was.
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US + 1);
    expect(await scoredAt()).toBe(first);
    // Other records, but as many private addresses (none): still nothing the score reads.
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US + 1, [
      { type: 'A', name: 'www', ttl: 60, address: '198.51.100.7' },
      { type: 'TXT', name: '@', ttl: 60, strings: ['hello'] },
    ]);
    expect(await scoredAt()).toBe(first);
    // A confirmation of that packet counts; the next packet outdates it, and the score drops.
    await confirm(db.pool, domain.pubkyDomainId, 'dht', NOW_US + 1);
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('censorship_resistance')).toBe(
      12,
    );
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US + 2);
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('censorship_resistance')).toBe(4);
    // Moved back onto the confirmed timestamp (only SQL can do that), it is fresh again.
    await db.pool.query(
      'UPDATE pkarr_records SET packet_timestamp = $2 WHERE pubky_domain_id = $1',
      [domain.pubkyDomainId, NOW_US + 1],
    );
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('censorship_resistance')).toBe(
      12,
    );
    // New records with a private address re-score at once.
    await storePacket(db.pool, domain.pubkyDomainId, NOW_US + 3, [
      { type: 'A', name: 'nas', ttl: 60, address: '10.0.0.2' },
    ]);
    expect((await scoreOf(db.pool, domain.domainRecordId)).factor('privacy')).toBe(10);
    // More evidence that scores the same (a third fresh relay) is kept, without a history entry.
    for (const target of ['https://relay-a.example', 'https://relay-b.example']) {
      await confirm(db.pool, domain.pubkyDomainId, target, NOW_US + 3);
    }
    const entries = async () =>
      (
        await db.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM sovereignty_score_history WHERE domain_record_id = $1',
          [domain.domainRecordId],
        )
      ).rows[0]!.n;
    const before = await entries();
    await confirm(db.pool, domain.pubkyDomainId, 'https://relay-c.example', NOW_US + 3);
    expect(await entries()).toBe(before);
    const stored = await db.pool.query<{ relays: number }>(
      "SELECT (evidence ->> 'freshRelays')::int AS relays FROM sovereignty_scores WHERE domain_record_id = $1",
      [domain.domainRecordId],
    );
    expect(stored.rows[0]!.relays).toBe(3);
  });
});
