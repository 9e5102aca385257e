// Issue 17 item 10: the server runs as pubky_app, which can read and write rows and nothing more.
// What a server compromise (or a query gone wrong) could do with the owner role is refused, and
// everything the server does — sign-in, families, invitations, domains, sync, the relay, scores,
// guardians, the feed — works under the role.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../server/auth/auth-service';
import { migrate } from '../../server/db/migrate';
import { startFeed } from '../../server/feed/start-feed';
import { encodeRelayPayload, signPacket, z32Encode } from '../../src-shared/pkarr';
import {
  call,
  join,
  registerDomain,
  signIn,
  createFamily,
  signedBackup,
} from '../support/api-client';
import { listenApp } from '../support/api-server';
import { freshDatabase } from '../support/database';
import { connectFeed } from '../support/feed-client';

const db = await freshDatabase();
await migrate(db.pool);
// The server's pool: every connection acts as pubky_app.
const runtime = new pg.Pool({ connectionString: db.url, max: 5 });
runtime.on('error', () => undefined);
runtime.on('connect', (client) => void client.query('SET ROLE pubky_app'));
afterAll(() => runtime.end());

describe('the server role', () => {
  it('cannot change the schema, disable triggers, truncate, or touch the ledger', async () => {
    const client = await runtime.connect();
    try {
      expect((await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u).toBe(
        'pubky_app',
      );
      for (const sql of [
        'CREATE TABLE intruder (id int)',
        'DROP TABLE families',
        'ALTER TABLE pkarr_records DISABLE TRIGGER USER',
        'TRUNCATE feed_events',
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'x', 'x')",
        'DELETE FROM schema_migrations',
        "COPY families TO PROGRAM 'true'",
        'CREATE OR REPLACE FUNCTION rescore_stale() RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$',
      ]) {
        await expect(client.query(sql), sql).rejects.toMatchObject({ code: '42501' });
      }
      expect((await client.query('SELECT max(version) FROM schema_migrations')).rowCount).toBe(1);
    } finally {
      client.release();
    }
  });

  it('does all the server does', async () => {
    const { app, base } = await listenApp({ pool: runtime });
    const auth = new AuthService(runtime, { origin: base });
    const feed = await startFeed({
      pool: runtime,
      databaseUrl: db.url,
      auth,
      host: '127.0.0.1',
      port: 0,
    });
    afterAll(async () => {
      await feed.close();
      await app.close();
    });
    const owner = await signIn(base);
    const familyId = await createFamily(base, owner, 'Least');
    const watcher = await connectFeed(
      `ws://127.0.0.1:${feed.port}`,
      await auth.accessToken(owner.userId, owner.publicKey),
    );
    watcher.send({ type: 'subscribe', data: { familyId } });
    await watcher.waitFor(() => watcher.frames.some((f) => f.type === 'subscribed'));

    const member = await signIn(base);
    await join(base, owner, familyId, member, 'member');
    const guardians = [];
    for (let i = 0; i < 2; i++)
      guardians.push(
        (await join(base, owner, familyId, await signIn(base), 'guardian')).guardianId!,
      );
    const domain = await registerDomain(base, owner, familyId, undefined, {
      custody: 'os-keychain',
    });
    expect(domain.status).toBe(201);
    const { domainRecordId } = domain.body as { domainRecordId: string };
    const packet = signPacket(domain.signer, [
      { type: 'A', name: '@', ttl: 300, address: '203.0.113.7' },
    ]);
    const payload = Buffer.from(encodeRelayPayload(packet));
    const synced = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: {
        packets: [
          {
            clientId: randomUUID(),
            publicKey: z32Encode(domain.signer.publicKey),
            payload: payload.toString('base64'),
          },
        ],
      },
    });
    expect(synced.body).toMatchObject({ results: [{ status: 'stored' }] });
    const relayed = await fetch(`${base}/relay/${z32Encode(domain.signer.publicKey)}`);
    expect(relayed.status).toBe(200);
    const backup = await call(base, 'POST', `/families/${familyId}/backups`, {
      token: owner.accessToken,
      body: await signedBackup(
        base,
        owner,
        familyId,
        domain.signer,
        2,
        guardians.map((guardianId) => ({ guardianId, encryptedShare: randomBytes(64) })),
      ),
    });
    expect(backup.status).toBe(201);
    expect(
      (await call(base, 'GET', `/domains/${domainRecordId}/score`, { token: owner.accessToken }))
        .status,
    ).toBe(200);
    expect(
      (
        await call(base, 'DELETE', `/families/${familyId}/members/${member.userId}`, {
          token: owner.accessToken,
        })
      ).status,
    ).toBe(204);
    const refreshed = await call(base, 'POST', '/auth/refresh', {
      body: { refreshToken: owner.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    await auth.prune();
    await watcher.waitFor(() =>
      ['pkarr_record_event', 'sovereignty_score_event', 'family_event'].every((type) =>
        watcher.frames.some((f) => f.type === type),
      ),
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    watcher.close();
  });
});
