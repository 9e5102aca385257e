// Facts only the app knows, reported through their own route: a recovery file saved, the
// homeserver chosen. Each moves the domain's score through the triggers (history and feed
// follow); a second report changes nothing; outsiders and bad bodies are refused.
import { describe, expect, it } from 'vitest';
import { z32Encode } from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { startApiServer } from '../support/api-server';
import { call, createFamily, join, registerDomain, signIn } from '../support/api-client';

const { db, base } = await startApiServer();
const owner = await signIn(base);
const guardian = await signIn(base);
const outsider = await signIn(base);
const familyId = await createFamily(base, owner, 'Facts');
await join(base, owner, familyId, guardian, 'guardian');

type Score = {
  score: number;
  breakdown: { factors: { key: string; reasons: { code: string; points: number }[] }[] };
  history: unknown[];
};
const scoreOf = async (domainId: string) =>
  (await call(base, 'GET', `/domains/${domainId}/score`, { token: owner.accessToken }))
    .body as Score;
/** A reason's points (reasons worth nothing are left out of a breakdown). */
const points = (score: Score, code: string) =>
  score.breakdown.factors.flatMap((f) => f.reasons).find((r) => r.code === code)?.points ?? 0;
const report = (domainId: string, body: unknown, token = owner.accessToken) =>
  call(base, 'POST', `/domains/${domainId}/facts`, { token, body });

describe('facts the app reports', () => {
  it('a recovery file saved and a self-hosted homeserver raise the score, once', async () => {
    const registered = await registerDomain(base, owner, familyId, undefined, {
      custody: 'os-keychain',
    });
    const { domainRecordId } = registered.body as { domainRecordId: string };
    const before = await scoreOf(domainRecordId);
    expect(points(before, 'recovery_file_exported')).toBe(0);

    expect((await report(domainRecordId, { recoveryExported: true })).status).toBe(200);
    const exported = await scoreOf(domainRecordId);
    expect(points(exported, 'recovery_file_exported')).toBeGreaterThan(0);
    expect(exported.score).toBeGreaterThan(before.score);
    expect(exported.history.length).toBe(before.history.length + 1);
    // Again: the first time stands, nothing is rescored.
    await report(domainRecordId, { recoveryExported: true });
    expect((await scoreOf(domainRecordId)).history.length).toBe(exported.history.length);

    const homeserver = z32Encode(seedSigner(randomSeed()).publicKey);
    expect(
      (await report(domainRecordId, { homeserver: { publicKey: homeserver, selfHosted: true } }))
        .status,
    ).toBe(200);
    const hosted = await scoreOf(domainRecordId);
    expect(points(hosted, 'homeserver_self_hosted')).toBeGreaterThan(0);
    expect(hosted.score).toBeGreaterThan(exported.score);
    const events = await db.pool.query(
      `SELECT 1 FROM feed_events WHERE family_id = $1 AND kind = 'sovereignty_score_event'`,
      [familyId],
    );
    expect(events.rowCount).toBeGreaterThanOrEqual(3);
  });

  it('refuses outsiders, guardians and bad bodies', async () => {
    const registered = await registerDomain(base, owner, familyId);
    const { domainRecordId } = registered.body as { domainRecordId: string };
    expect(
      (await report(domainRecordId, { recoveryExported: true }, outsider.accessToken)).status,
    ).toBe(404);
    expect(
      (await report(domainRecordId, { recoveryExported: true }, guardian.accessToken)).status,
    ).toBe(403);
    for (const body of [
      {},
      { recoveryExported: false },
      { homeserver: { publicKey: 'nope', selfHosted: true } },
      { homeserver: { publicKey: z32Encode(seedSigner(randomSeed()).publicKey) } },
      { recoveryExported: true, other: 1 },
      'text',
    ])
      expect([(await report(domainRecordId, body)).status, body]).toEqual([400, body]);
    expect(points(await scoreOf(domainRecordId), 'recovery_file_exported')).toBe(0);
  });
});
