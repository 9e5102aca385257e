// Issue 17 item 12, the smaller findings, each with the behaviour that was missing: the app's
// feed client survives frames that are not the protocol; an outbox pass that fails is logged and
// never rejects; a server whose port is taken stops what it started; /metrics is not for
// everyone; every route takes the bodies it documents (100 full packets, large backups).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { FeedClient } from '../../src-node/feed-client';
import { Publisher } from '../../src-main/publish/publisher';
import { LocalStore } from '../../src-main/store/local-store';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { RelayClient } from '../../src-shared/publish/relay-client';
import { encodeRelayPayload, signPacket, z32Encode } from '../../src-shared/pkarr';
import { loadConfig } from '../../server/config';
import { startServer } from '../../server/start';
import { freePort } from '../../server/db/embedded-postgres';
import {
  call,
  join as joinFamily,
  registerDomain,
  signIn,
  createFamily,
  signedBackup,
} from '../support/api-client';
import { startApiServer } from '../support/api-server';
import { freshDatabase } from '../support/database';

describe("the app's feed client", () => {
  it('reports a frame that is not the protocol and an error nobody listens to, and keeps going', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket) => {
      socket.send('not json');
      socket.send(Buffer.from([1, 2, 3]), { binary: true });
      socket.send('42');
      socket.send(JSON.stringify({ type: 'error', data: { code: 'FORBIDDEN', message: 'no' } }));
      socket.send(JSON.stringify({ type: 'pkarr_record_event', seq: 7, familyId: 'f', data: {} }));
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const client = new FeedClient({
      urls: [`ws://127.0.0.1:${port}`],
      token: async () => 'token',
      subscriptions: [],
    });
    const problems: string[] = [];
    const events: number[] = [];
    client.on('event', (event) => events.push(event.seq));
    client.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nobody listened for problems yet: nothing threw. Now someone does.
    client.on('problem', (problem) => problems.push(problem.code));
    client.stop();
    expect(events).toEqual([7]);
    const again = new FeedClient({
      urls: [`ws://127.0.0.1:${port}`],
      token: async () => 't',
      subscriptions: [],
    });
    again.on('problem', (problem) => problems.push(problem.code));
    again.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    again.stop();
    expect(problems).toEqual(['INVALID_FRAME', 'INVALID_FRAME', 'INVALID_FRAME', 'FORBIDDEN']);
    await new Promise((resolve) => server.close(resolve));
  });
});

describe("the app's outbox", () => {
  it('a pass that fails is logged and resolves; nothing is left rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pubky-outbox-fail-'));
    const store = new LocalStore(join(dir, 'app.sqlite'));
    const lines: string[] = [];
    const publisher = new Publisher({
      store,
      verifier: nativeVerifier,
      relayClient: new RelayClient({ verifier: nativeVerifier }),
      relays: () => [],
      dht: undefined,
      log: (line) => lines.push(line),
    });
    store.close(); // every store call now throws
    await expect(publisher.processOutbox()).resolves.toBe(0);
    expect(lines.join('\n')).toMatch(/outbox pass failed/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the server', () => {
  it('stops what it started when its port is taken', async () => {
    const db = await freshDatabase();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const dir = mkdtempSync(join(tmpdir(), 'pubky-listen-fail-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const feedPort = await freePort();
    const before = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()',
    );
    await expect(
      startServer(
        loadConfig({
          DATABASE_URL: db.url,
          PORT: String(port),
          FEED_PORT: String(feedPort),
          LOG_LEVEL: 'silent',
          JWT_SECRET_FILE: join(dir, 'jwt'),
          VERIFY_THREADS: '0',
        }),
      ),
    ).rejects.toThrow(/EADDRINUSE/);
    // The feed port is free again and the server's connections are gone.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(feedPort, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => probe.close(resolve));
    blocker.close();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    for (let i = 0; i < 50; i++) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      if (rows[0]!.n <= before.rows[0]!.n) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await client.end();
    expect(rows[0]!.n).toBeLessThanOrEqual(before.rows[0]!.n);
  });

  it('answers /metrics to loopback only, or to whoever holds METRICS_TOKEN', async () => {
    const open = await startApiServer();
    expect((await fetch(`${open.base}/metrics`)).status).toBe(200);
    const guarded = await startApiServer({ metricsToken: 'operator-secret-token' });
    expect((await fetch(`${guarded.base}/metrics`)).status).toBe(404);
    expect(
      (
        await fetch(`${guarded.base}/metrics`, {
          headers: { Authorization: 'Bearer wrong-token-here-x' },
        })
      ).status,
    ).toBe(404);
    const allowed = await fetch(`${guarded.base}/metrics`, {
      headers: { Authorization: 'Bearer operator-secret-token' },
    });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('pubky_http_request_seconds');
  });

  it('takes the bodies its routes document: 100 full-size packets, a backup of large shares', async () => {
    const { base } = await startApiServer();
    const owner = await signIn(base);
    const familyId = await createFamily(base, owner, 'Big');
    const domain = await registerDomain(base, owner, familyId);
    const packets = Array.from({ length: 100 }, (_, i) => {
      const timestamp = (Date.now() - 1000 + i) * 1000;
      // Four TXT records of 230 bytes: close to the 1000-byte packet limit.
      const packet = signPacket(
        domain.signer,
        Array.from({ length: 4 }, (_, j) => ({
          type: 'TXT' as const,
          name: `t${j}`,
          ttl: 60,
          strings: ['x'.repeat(190)],
        })),
        { timestamp },
      );
      return {
        clientId: randomUUID(),
        publicKey: z32Encode(domain.signer.publicKey),
        payload: Buffer.from(encodeRelayPayload(packet)).toString('base64'),
      };
    });
    expect(JSON.stringify({ packets }).length).toBeGreaterThan(64 * 1024);
    const synced = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: { packets },
    });
    expect(synced.status).toBe(200);

    const guardians = [];
    for (let i = 0; i < 16; i++) {
      guardians.push(
        (await joinFamily(base, owner, familyId, await signIn(base), 'guardian')).guardianId!,
      );
    }
    const body = await signedBackup(
      base,
      owner,
      familyId,
      domain.signer,
      3,
      guardians.map((guardianId) => ({ guardianId, encryptedShare: randomBytes(4096) })),
    );
    expect(JSON.stringify(body).length).toBeGreaterThan(64 * 1024);
    const backup = await call(base, 'POST', `/families/${familyId}/backups`, {
      token: owner.accessToken,
      body,
    });
    expect(backup.status).toBe(201);
    // Other routes keep a small limit.
    const huge = await call(base, 'POST', '/families', {
      token: owner.accessToken,
      body: { name: 'x'.repeat(100_000) },
    });
    expect(huge.status).toBe(413);
  });
});
