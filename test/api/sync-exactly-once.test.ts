// Packet sync from the app's outbox: a retried upload is stored once, an older packet never
// replaces a newer one (even when two uploads race), and a stored packet is served by the relay.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeRelayPayload,
  signPacket,
  z32Encode,
  type PacketSigner,
} from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { startApiServer } from '../support/api-server';
import { call, signIn, registerDomain, syncedPacket } from '../support/api-client';
import { pruneSyncReceipts, syncPackets } from '../../server/ingest/sync';
import { SignatureWorkerPool } from '../../server/crypto/signature-worker-pool';

// Signatures are checked on a worker thread, as the server does (batches of 8 or more).
const signatures = new SignatureWorkerPool(1);
afterAll(() => signatures.close());
const { db, base } = await startApiServer({ signatures });
const owner = await signIn(base);
const family = (
  await call(base, 'POST', '/families', { token: owner.accessToken, body: { name: 'Sync' } })
).body as { id: string };

async function domain(): Promise<PacketSigner> {
  const signer = seedSigner(randomSeed());
  await registerDomain(base, owner, family.id, signer);
  return signer;
}
const upload = (signer: PacketSigner, clientId: string, timestamp: number) =>
  call(base, 'POST', '/sync/packets', {
    token: owner.accessToken,
    body: { packets: [syncedPacket(signer, timestamp, clientId)] },
  });
const stored = async (signer: PacketSigner) =>
  (
    await db.pool.query<{ t: string }>(
      'SELECT pr.packet_timestamp::text AS t FROM pkarr_records pr JOIN pubky_domains pd ON pd.id = pr.pubky_domain_id WHERE pd.public_key = $1',
      [z32Encode(signer.publicKey)],
    )
  ).rows.map((r) => Number(r.t));

describe('packet sync', () => {
  it('a retried upload (same client id) is stored exactly once', async () => {
    const signer = await domain();
    const clientId = randomUUID();
    const now = Date.now() * 1000;
    const first = await upload(signer, clientId, now);
    const again = await upload(signer, clientId, now);
    expect(first.body).toEqual({ results: [{ clientId, status: 'stored', timestamp: now }] });
    expect(again.body).toEqual({ results: [{ clientId, status: 'duplicate', timestamp: now }] });
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n FROM sync_receipts WHERE client_id = $1',
      [clientId],
    );
    expect(rows[0].n).toBe(1);
    const relayed = await fetch(`${base}/relay/${z32Encode(signer.publicKey)}`);
    expect(relayed.status).toBe(200);
  });

  it('an older packet is refused with the current timestamp', async () => {
    const signer = await domain();
    const now = Date.now() * 1000;
    await upload(signer, randomUUID(), now);
    const older = await upload(signer, randomUUID(), now - 5_000_000);
    expect(older.body).toMatchObject({ results: [{ status: 'stale', currentTimestamp: now }] });
    expect(await stored(signer)).toEqual([now]);
  });

  it('racing uploads always leave the newest stored', async () => {
    for (let round = 0; round < 5; round++) {
      const signer = await domain();
      const now = Date.now() * 1000;
      const timestamps = Array.from({ length: 8 }, (_, i) => now - i * 1000).sort(
        () => Math.random() - 0.5,
      );
      const results = await Promise.all(timestamps.map((t) => upload(signer, randomUUID(), t)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(await stored(signer)).toEqual([now]);
    }
  });

  it('an upload that waited for a concurrent one is judged against what that one stored', async () => {
    const signer = await domain();
    const key = z32Encode(signer.publicKey);
    const now = Date.now() * 1000;
    await upload(signer, randomUUID(), now - 3_000_000);
    // Another writer holds the domain (as a concurrent upload does) and stores a newer packet.
    const other = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM pubky_domains WHERE public_key = $1 FOR UPDATE', [key]);
      await other.query(
        `UPDATE pkarr_records SET packet_timestamp = $1
         WHERE pubky_domain_id = (SELECT id FROM pubky_domains WHERE public_key = $2)`,
        [now, key],
      );
      const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
        .rows[0]!.pid;
      const waiting = upload(signer, randomUUID(), now - 1_000_000);
      // The upload is queued behind the other writer's lock before that writer commits.
      for (let tries = 0; ; tries++) {
        const { rows } = await db.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))',
          [otherPid],
        );
        if (rows[0]!.n > 0) break;
        if (tries > 200) throw new Error('the upload never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await other.query('COMMIT');
      expect((await waiting).body).toMatchObject({
        results: [{ status: 'stale', currentTimestamp: now }],
      });
    } finally {
      other.release();
    }
    expect(await stored(signer)).toEqual([now]);
  });

  it('signatures that cannot be checked store nothing and hold no lock', async () => {
    const signer = await domain();
    const key = z32Encode(signer.publicKey);
    const now = Date.now() * 1000;
    const me = (await call(base, 'GET', '/me', { token: owner.accessToken })).body as {
      userId: string;
    };
    const packets = Array.from({ length: 10 }, (_, i) => ({
      clientId: randomUUID(),
      publicKey: key,
      payload: encodeRelayPayload(
        signPacket(signer, [{ type: 'TXT', name: '@', ttl: 60, strings: ['x'] }], {
          timestamp: now + i,
        }),
      ),
    }));
    // The domains are locked while the signatures are checked; the check then fails, as when
    // a signature worker dies mid-batch.
    const dying = {
      verifyAll: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('a signature worker exited');
      },
      close: async () => undefined,
    };
    await expect(syncPackets(db.pool, me.userId, packets, dying)).rejects.toThrow(/exited/);
    expect(await stored(signer)).toEqual([]);
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n FROM sync_receipts WHERE client_id = ANY($1::uuid[])',
      [packets.map((p) => p.clientId)],
    );
    expect(rows[0].n).toBe(0);
    // Retried, the same packets are stored: nothing was left claimed or locked.
    const retried = await syncPackets(db.pool, me.userId, packets, signatures);
    expect(retried.map((r) => r.status)).toEqual(packets.map(() => 'stored'));
    expect(await stored(signer)).toEqual([now + 9]);
  });

  it('one batch is settled in upload order, item by item, as if sent one at a time', async () => {
    const a = await domain();
    const b = await domain();
    const stranger = seedSigner(randomSeed());
    const now = Date.now() * 1000;
    const item = (signer: PacketSigner, timestamp: number, clientId = randomUUID()) => ({
      clientId,
      publicKey: z32Encode(signer.publicKey),
      payload: Buffer.from(
        encodeRelayPayload(
          signPacket(signer, [{ type: 'TXT', name: '@', ttl: 60, strings: ['x'] }], { timestamp }),
        ),
      ).toString('base64'),
    });
    const repeated = randomUUID();
    const batch = [
      item(a, now - 3_000_000),
      item(a, now - 1_000_000),
      item(a, now - 2_000_000), // older than the one before it in this batch
      item(b, now, repeated),
      item(b, now, repeated), // the same client id twice
      item(stranger, now), // not one of the caller's domains
      { ...item(b, now + 1), payload: 'AAAA' }, // not a packet
    ];
    const response = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: { packets: batch },
    });
    expect(
      (response.body as { results: { status: string }[] }).results.map((r) => r.status),
    ).toEqual(['stored', 'stored', 'stale', 'stored', 'duplicate', 'not_found', 'invalid']);
    const results = (response.body as { results: Record<string, unknown>[] }).results;
    expect(results[2]).toMatchObject({ currentTimestamp: now - 1_000_000 });
    expect(results[4]).toMatchObject({ timestamp: now });
    expect(await stored(a)).toEqual([now - 1_000_000]);
    expect(await stored(b)).toEqual([now]);
    // Retried whole (the app did not hear back): everything it stored is now a duplicate.
    const retried = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: { packets: batch },
    });
    expect(
      (retried.body as { results: { status: string }[] }).results.map((r) => r.status),
    ).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'not_found',
      'invalid',
    ]);
  });

  it('a many-packet upload stores each domain its own bytes, records and relay copy', async () => {
    const signers = await Promise.all(Array.from({ length: 12 }, () => domain()));
    const now = Date.now() * 1000;
    // Packets of different sizes, so a payload cut at the wrong offset would show.
    const recordsOf = (i: number) =>
      Array.from({ length: 1 + (i % 5) }, (_, j) => ({
        type: 'TXT' as const,
        name: `_r${j}`,
        ttl: 60 + i,
        strings: ['x'.repeat(1 + ((i * 37 + j * 11) % 90)), `"quoted" \\ ${i}`],
      }));
    const payloads = signers.map((signer, i) =>
      encodeRelayPayload(signPacket(signer, recordsOf(i), { timestamp: now + i })),
    );
    const response = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: {
        packets: signers.map((signer, i) => ({
          clientId: randomUUID(),
          publicKey: z32Encode(signer.publicKey),
          payload: Buffer.from(payloads[i]!).toString('base64'),
        })),
      },
    });
    expect(
      (response.body as { results: { status: string }[] }).results.map((r) => r.status),
    ).toEqual(signers.map(() => 'stored'));
    for (const [i, signer] of signers.entries()) {
      const key = z32Encode(signer.publicKey);
      const { rows } = await db.pool.query(
        `SELECT pr.packet, pr.packet_timestamp::text AS t, pr.records, rp.payload
         FROM pubky_domains pd JOIN pkarr_records pr ON pr.pubky_domain_id = pd.id
         JOIN relay_packets rp ON rp.public_key = pd.public_key WHERE pd.public_key = $1`,
        [key],
      );
      expect(Buffer.from(rows[0].packet).equals(Buffer.from(payloads[i]!))).toBe(true);
      expect(Buffer.from(rows[0].payload).equals(Buffer.from(payloads[i]!))).toBe(true);
      expect(Number(rows[0].t)).toBe(now + i);
      expect(rows[0].records).toEqual(recordsOf(i));
      const relayed = await fetch(`${base}/relay/${key}`);
      expect(Buffer.from(await relayed.arrayBuffer()).equals(Buffer.from(payloads[i]!))).toBe(true);
    }
  });

  it('stores the decoded records, SVCB/HTTPS parameter bytes as hex', async () => {
    const signer = await domain();
    const records = [
      { type: 'A' as const, name: '@', ttl: 60, address: '192.0.2.7' },
      {
        type: 'HTTPS' as const,
        name: '_pubky',
        ttl: 3600,
        priority: 1,
        target: '.',
        params: [{ key: 1, value: new Uint8Array([2, 104, 50]) }],
      },
    ];
    const response = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: {
        packets: [
          {
            clientId: randomUUID(),
            publicKey: z32Encode(signer.publicKey),
            payload: Buffer.from(encodeRelayPayload(signPacket(signer, records))).toString(
              'base64',
            ),
          },
        ],
      },
    });
    expect(response.body).toMatchObject({ results: [{ status: 'stored' }] });
    const { rows } = await db.pool.query(
      'SELECT pr.records FROM pkarr_records pr JOIN pubky_domains pd ON pd.id = pr.pubky_domain_id WHERE pd.public_key = $1',
      [z32Encode(signer.publicKey)],
    );
    expect(rows[0].records).toEqual([
      { type: 'A', name: '@', ttl: 60, address: '192.0.2.7' },
      {
        type: 'HTTPS',
        name: '_pubky',
        ttl: 3600,
        priority: 1,
        target: '.',
        params: [{ key: 1, value: '026832' }],
      },
    ]);
  });

  it('invalid packets are reported per item and change nothing', async () => {
    const signer = await domain();
    const payload = encodeRelayPayload(
      signPacket(signer, [{ type: 'A', name: '@', ttl: 1, address: '192.0.2.1' }]),
    );
    payload[10] = payload[10]! ^ 1;
    const response = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: {
        packets: [
          {
            clientId: randomUUID(),
            publicKey: z32Encode(signer.publicKey),
            payload: Buffer.from(payload).toString('base64'),
          },
        ],
      },
    });
    expect(response.body).toMatchObject({
      results: [{ status: 'invalid', reason: 'INVALID_SIGNATURE' }],
    });
    expect(await stored(signer)).toEqual([]);
  });

  it('a large batch is checked off the event loop: forged packets refused, the rest stored', async () => {
    const signers = [await domain(), await domain(), await domain()];
    const now = Date.now() * 1000;
    const packets = Array.from({ length: 60 }, (_, i) => {
      const signer = signers[i % 3]!;
      const payload = Uint8Array.from(
        encodeRelayPayload(
          signPacket(signer, [{ type: 'TXT', name: '@', ttl: 60, strings: [`n${i}`] }], {
            timestamp: now + i,
          }),
        ),
      );
      if (i % 7 === 3) payload[5] = payload[5]! ^ 0x40; // a forged signature
      if (i === 58) payload[payload.length - 1] = payload[payload.length - 1]! ^ 1; // forged DNS
      return {
        clientId: randomUUID(),
        publicKey: z32Encode(signer.publicKey),
        payload: Buffer.from(payload).toString('base64'),
      };
    });
    const response = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: { packets },
    });
    const results = (response.body as { results: { status: string; reason?: string }[] }).results;
    results.forEach((result, i) => {
      if (i % 7 === 3 || i === 58) {
        expect(result).toMatchObject({ status: 'invalid', reason: 'INVALID_SIGNATURE' });
      } else expect(result.status).toBe('stored');
    });
    // Per domain the newest good packet is stored (59 and 58 are forged).
    expect(await stored(signers[2]!)).toEqual([now + 56]);
    expect(await stored(signers[0]!)).toEqual([now + 57]);
    expect(await stored(signers[1]!)).toEqual([now + 55]);
  });
});

describe('receipt retention', () => {
  it('prunes receipts past the retention window and keeps the recent ones', async () => {
    const signer = await domain();
    const now = Date.now() * 1000;
    const oldId = randomUUID();
    const recentId = randomUUID();
    await upload(signer, oldId, now - 1_000_000);
    await upload(signer, recentId, now);
    await db.pool.query(
      "UPDATE sync_receipts SET created_at = now() - interval '31 days' WHERE client_id = $1",
      [oldId],
    );
    expect(await pruneSyncReceipts(db.pool)).toBeGreaterThanOrEqual(1);
    const { rows } = await db.pool.query<{ client_id: string }>(
      'SELECT client_id FROM sync_receipts WHERE client_id = ANY($1::uuid[])',
      [[oldId, recentId]],
    );
    expect(rows.map((r) => r.client_id)).toEqual([recentId]);
    // A retry that late is judged again on its merits: older than what is stored, so stale.
    const late = await upload(signer, oldId, now - 1_000_000);
    expect(late.body).toMatchObject({ results: [{ status: 'stale', currentTimestamp: now }] });
  });
});

describe('metrics', () => {
  it('exposes request and sync counts for Prometheus, labelled by route pattern', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/pubky_sync_packets_total\{status="stored"\} [1-9]/);
    expect(text).toMatch(
      /pubky_http_request_seconds_count\{method="POST",route="\/sync\/packets",status="200"\} [1-9]/,
    );
    expect(text).toContain('pubky_db_pool_clients');
    // No key or id ever becomes a label value.
    expect(text).not.toMatch(/route="\/families\/[0-9a-f]{8}-/);
  });
});
