// Fuzzing every JSON route with generated bodies, headers and paths: never a 5xx, never a crash,
// and a request that is refused leaves the database exactly as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '../support/api-server';
import { call, signIn } from '../support/api-client';

const { db, base } = await startApiServer();
const owner = await signIn(base);
const family = (
  await call(base, 'POST', '/families', { token: owner.accessToken, body: { name: 'Fuzz' } })
).body as { id: string };

/** A fingerprint of every table's content. */
async function fingerprint(): Promise<string> {
  const { rows: tables } = await db.pool.query<{ t: string }>(
    "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  const parts: string[] = [];
  for (const { t } of tables) {
    const { rows } = await db.pool.query<{ h: string }>(
      `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${t}" x`,
    );
    parts.push(`${t}:${rows[0]!.h}`);
  }
  return parts.join(',');
}

const routes = [
  ['POST', '/auth/challenge'],
  ['POST', '/auth/session'],
  ['POST', '/auth/refresh'],
  ['POST', '/auth/sign-out'],
  ['POST', '/families'],
  ['POST', `/families/${family.id}/members`],
  ['POST', `/families/${family.id}/domains`],
  ['POST', '/sync/packets'],
  ['POST', '/auth/pubky-token'],
  ['POST', `/families/${family.id}/guardians`],
  ['POST', `/families/${family.id}/backups`],
  ['DELETE', `/families/${family.id}/guardians/00000000-0000-0000-0000-000000000000`],
  ['POST', `/guardian/shares/00000000-0000-0000-0000-000000000000/acknowledge`],
  ['PATCH', `/migrations/00000000-0000-0000-0000-000000000000`],
  ['POST', `/domains/00000000-0000-0000-0000-000000000000/migrations`],
  ['POST', `/domains/00000000-0000-0000-0000-000000000000/key-shares`],
  ['POST', `/domains/00000000-0000-0000-0000-000000000000/facts`],
  ['POST', `/key-shares/00000000-0000-0000-0000-000000000000/accept`],
  ['POST', `/key-shares/00000000-0000-0000-0000-000000000000/decline`],
  ['POST', '/recoveries'],
  ['POST', `/recoveries/00000000-0000-0000-0000-000000000000/complete`],
  ['POST', `/guardian/recoveries/00000000-0000-0000-0000-000000000000/share`],
  ['POST', `/guardian/families/${family.id}/freeze`],
  ['POST', `/families/${family.id}/recoveries/00000000-0000-0000-0000-000000000000/cancel`],
  ['PUT', `/families/${family.id}/recovery-wait`],
] as const;

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const body = fc.oneof(
  jsonValue,
  fc.record(
    {
      publicKey: fc.string(),
      nonce: fc.string(),
      signature: fc.string(),
      name: fc.string(),
      role: fc.string(),
      token: fc.oneof(fc.string(), fc.base64String()),
      displayName: fc.string(),
      recipientId: fc.oneof(fc.uuid(), fc.string()),
      sealed: fc.base64String({ maxLength: 6000 }),
    },
    { requiredKeys: [] },
  ),
  fc.record({
    publicKey: fc.string({ minLength: 50, maxLength: 60 }),
    threshold: fc.integer({ min: -1, max: 300 }),
    commitmentSignature: fc.base64String(),
    shares: fc.array(
      fc.record({
        guardianId: fc.uuid(),
        encryptedShare: fc.base64String(),
        commitment: fc.base64String(),
      }),
      {
        maxLength: 4,
      },
    ),
  }),
  fc.record({
    packets: fc.array(
      fc.record({ clientId: fc.uuid(), publicKey: fc.string(), payload: fc.base64String() }),
      { maxLength: 3 },
    ),
  }),
);

describe('fuzzing the JSON routes', () => {
  it('no 5xx and no change after a refused request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        body,
        fc.boolean(),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async ([method, path], payload, authenticated, contentType) => {
          const before = await fingerprint();
          const response = await fetch(`${base}${path}`, {
            method,
            headers: {
              'Content-Type': contentType,
              ...(authenticated ? { Authorization: `Bearer ${owner.accessToken}` } : {}),
            },
            body: JSON.stringify(payload),
          });
          const text = await response.text();
          expect(response.status, text).toBeLessThan(500);
          if (response.status >= 400) {
            expect(JSON.parse(text)).toMatchObject({ error: { code: expect.any(String) } });
            expect(await fingerprint()).toBe(before);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('no 5xx for generated paths and raw bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'),
        fc.array(
          fc.oneof(
            fc.constantFrom(
              'families',
              'domains',
              'migrations',
              'sync',
              'relay',
              'me',
              '..',
              '%00',
              family.id,
            ),
            fc.webSegment(),
          ),
          { maxLength: 4 },
        ),
        fc.uint8Array({ maxLength: 2000 }),
        async (method, segments, raw) => {
          const response = await fetch(`${base}/${segments.join('/')}`, {
            method,
            headers: {
              Authorization: `Bearer ${owner.accessToken}`,
              'Content-Type': 'application/json',
            },
            ...(method === 'GET' ? {} : { body: raw }),
          });
          await response.arrayBuffer();
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });
});
