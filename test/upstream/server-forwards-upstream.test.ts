// What the server stores goes out again: a synced packet reaches the operator's upstream relays
// (the pkarr npm relay among them) and the DHT, each confirmation becomes score evidence, and a
// failing relay is retried with backoff without holding back the others. The relay is bridged to
// the DHT both ways: a PUT reaches the DHT; a GET for a key only the DHT has is answered.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DHT as PkarrDht } from 'pkarr/lib/dht.js';
import PkarrRelay from 'pkarr/lib/relay.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeRelayPayload,
  signPacket,
  z32Encode,
  type PacketSigner,
  type SignedPacket,
} from '../../src-shared/pkarr';
import { DhtClient } from '../../src-shared/publish/dht-client';
import { RelayClient } from '../../src-shared/publish/relay-client';
import { nativeVerifier, randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { createMainlineNode } from '../../src-node/mainline-node';
import { listenApp } from '../support/api-server';
import { MAX_DHT_LOOKUPS } from '../../server/relay/pkarr-relay';
import { migrate } from '../../server/db/migrate';
import { setUpstreamTargets, UpstreamForwarder } from '../../server/upstream/upstream-forwarder';
import { freshDatabase } from '../support/database';
import { FaultRelay } from '../support/fault-relay';
import { call, signIn, registerDomain } from '../support/api-client';

const dhtNode = (bootstrap: { host: string; port: number }[] | false) =>
  DhtClient.start({
    createNode: createMainlineNode,
    verifier: nativeVerifier,
    bootstrap,
    timeoutMs: 5000,
  });

// A loopback Mainline network: a seed node and two more; the server joins it as a fourth.
const seed = await dhtNode(false);
const peers = [seed, await dhtNode([seed.address()]), await dhtNode([seed.address()])];
const serverDht = await dhtNode([seed.address()]);
const storageDir = await mkdtemp(join(tmpdir(), 'pkarr-relay-'));
const pkarrRelay = await PkarrRelay.start({
  dht: new PkarrDht({
    bootstrap: [`${seed.address().host}:${seed.address().port}`],
    storageLocation: storageDir,
  }),
  port: 0,
});
const flaky = await FaultRelay.start('error500');

const db = await freshDatabase();
await migrate(db.pool);
await setUpstreamTargets(db.pool, [pkarrRelay.address, flaky.url], true);
const { app, base } = await listenApp({ pool: db.pool, relayPutsPerMinute: 0, dht: serverDht });
const relayClient = new RelayClient({ verifier: nativeVerifier, timeoutMs: 3000 });
const forwarder = new UpstreamForwarder({ pool: db.pool, relayClient, dht: serverDht });

afterAll(async () => {
  await app.close();
  await pkarrRelay.close();
  await flaky.close();
  await Promise.all([...peers, serverDht].map((node) => node.destroy()));
  await rm(storageDir, { recursive: true, force: true });
});

const owner = await signIn(base);
const family = (
  await call(base, 'POST', '/families', { token: owner.accessToken, body: { name: 'Upstream' } })
).body as { id: string };

async function newDomain(): Promise<PacketSigner> {
  const signer = seedSigner(randomSeed());
  const created = await registerDomain(base, owner, family.id, signer, { custody: 'os-keychain' });
  expect(created.status).toBe(201);
  return signer;
}

const packetOf = (signer: PacketSigner, text: string, timestamp?: number): SignedPacket =>
  signPacket(signer, [{ type: 'TXT', name: '@', ttl: 300, strings: [text] }], {
    ...(timestamp === undefined ? {} : { timestamp }),
  });

async function sync(packet: SignedPacket): Promise<void> {
  const result = await call(base, 'POST', '/sync/packets', {
    token: owner.accessToken,
    body: {
      packets: [
        {
          clientId: randomUUID(),
          publicKey: z32Encode(packet.publicKey),
          payload: Buffer.from(encodeRelayPayload(packet)).toString('base64'),
        },
      ],
    },
  });
  expect(result.body).toMatchObject({ results: [{ status: 'stored' }] });
}

/** Runs forwarder passes until nothing is due (rows waiting on backoff are not due). */
async function drain(): Promise<void> {
  while ((await forwarder.runOnce()) > 0);
}

const forwards = async (key: string) =>
  (
    await db.pool.query<{ target: string; state: string; attempts: number; last_error: string }>(
      'SELECT target, state, attempts, last_error FROM upstream_forwards WHERE public_key = $1 ORDER BY target',
      [key],
    )
  ).rows;

const evidence = async (key: string) =>
  (
    await db.pool.query<{ evidence: { freshRelays: number; freshOnDht: boolean } }>(
      'SELECT e.evidence FROM domain_evidence e JOIN pubky_domains pd ON pd.domain_record_id = e.domain_record_id WHERE pd.public_key = $1',
      [key],
    )
  ).rows[0]?.evidence;

describe('forwarding upstream', () => {
  it('a synced packet reaches the pkarr npm relay and the DHT; confirmations become evidence', async () => {
    const signer = await newDomain();
    const key = z32Encode(signer.publicKey);
    const packet = packetOf(signer, 'hello upstream');
    await sync(packet);
    await drain();

    const fromPkarr = await relayClient.get(pkarrRelay.address, signer.publicKey);
    expect(fromPkarr).toMatchObject({ kind: 'found', packet: { timestamp: packet.timestamp } });
    const fromDht = await peers[1]!.get(signer.publicKey);
    expect(fromDht?.timestamp).toBe(packet.timestamp);

    const rows = await forwards(key);
    expect(rows.find((r) => r.target === pkarrRelay.address)?.state).toBe('confirmed');
    expect(rows.find((r) => r.target === 'dht')?.state).toBe('confirmed');
    // The failing relay did not hold back the others; it waits for its retry.
    expect(rows.find((r) => r.target === flaky.url)).toMatchObject({
      state: 'pending',
      attempts: 1,
      last_error: 'HTTP 500',
    });
    expect(await evidence(key)).toMatchObject({ freshRelays: 1, freshOnDht: true });
  });

  it('a failing relay is retried after its backoff and confirmed once it recovers, once', async () => {
    const signer = await newDomain();
    const key = z32Encode(signer.publicKey);
    await sync(packetOf(signer, 'retry me'));
    await drain();
    expect((await forwards(key)).find((r) => r.target === flaky.url)?.state).toBe('pending');
    const putsWhileFailing = flaky.putsOf(key).length;
    expect(putsWhileFailing).toBe(0); // a 500 is answered before the body is read

    flaky.mode = 'ok';
    // Not due yet: backoff holds it.
    await drain();
    expect(flaky.putsOf(key)).toHaveLength(0);
    await db.pool.query(
      "UPDATE upstream_forwards SET next_attempt_at = now() WHERE public_key = $1 AND state = 'pending'",
      [key],
    );
    await drain();
    await drain();
    expect(flaky.putsOf(key)).toHaveLength(1);
    expect((await forwards(key)).map((r) => r.state)).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
    ]);
    expect(await evidence(key)).toMatchObject({ freshRelays: 2, freshOnDht: true });
    flaky.mode = 'error500';
  });

  it('a newer packet resets the rows; an older upload never goes out', async () => {
    const signer = await newDomain();
    const key = z32Encode(signer.publicKey);
    flaky.mode = 'ok';
    const now = Date.now() * 1000;
    await sync(packetOf(signer, 'first', now - 2_000_000));
    await drain();
    await sync(packetOf(signer, 'second', now - 1_000_000));
    await drain();
    expect(flaky.putsOf(key)).toEqual([`${key}@${now - 2_000_000}`, `${key}@${now - 1_000_000}`]);
    const fromDht = await peers[2]!.get(signer.publicKey);
    expect(fromDht?.timestamp).toBe(now - 1_000_000);
    flaky.mode = 'error500';
  });

  it('a newer packet an upstream relay holds is adopted and sent on to every target', async () => {
    const signer = await newDomain();
    const key = z32Encode(signer.publicKey);
    flaky.mode = 'ok';
    try {
      const now = Date.now() * 1000;
      const mine = packetOf(signer, 'synced here', now - 2_000_000);
      const elsewhere = packetOf(signer, 'published by another device', now - 1_000_000);
      expect(await relayClient.put(flaky.url, elsewhere)).toMatchObject({ kind: 'published' });
      await sync(mine);
      await drain();
      await drain();
      const ours = await relayClient.get(`${base}/relay`, signer.publicKey);
      expect(ours).toMatchObject({ kind: 'found', packet: { timestamp: elsewhere.timestamp } });
      const atPkarr = await relayClient.get(pkarrRelay.address, signer.publicKey);
      expect(atPkarr).toMatchObject({ kind: 'found', packet: { timestamp: elsewhere.timestamp } });
      expect((await peers[1]!.get(signer.publicKey))?.timestamp).toBe(elsewhere.timestamp);
      const rows = await forwards(key);
      expect(rows.map((r) => r.state)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    } finally {
      flaky.mode = 'error500';
    }
  });

  it('two forwarders on one database publish each packet to each target once', async () => {
    const counting = await FaultRelay.start('ok');
    await setUpstreamTargets(db.pool, [counting.url], false);
    try {
      const signers = await Promise.all(Array.from({ length: 12 }, () => newDomain()));
      for (const signer of signers) await sync(packetOf(signer, 'twice?'));
      const other = new UpstreamForwarder({ pool: db.pool, relayClient, batchSize: 3 });
      const mine = new UpstreamForwarder({ pool: db.pool, relayClient, batchSize: 3 });
      const run = async (f: UpstreamForwarder) => {
        while ((await f.runOnce()) > 0);
      };
      await Promise.all([run(other), run(mine), run(other), run(mine)]);
      for (const signer of signers) {
        expect(counting.putsOf(z32Encode(signer.publicKey))).toHaveLength(1);
      }
    } finally {
      await setUpstreamTargets(db.pool, [pkarrRelay.address, flaky.url], true);
      await counting.close();
    }
  });

  it('a target added later gets what is already stored (backfill)', async () => {
    const signer = await newDomain();
    await sync(packetOf(signer, 'before the target'));
    const late = await FaultRelay.start('ok');
    try {
      await setUpstreamTargets(db.pool, [pkarrRelay.address, flaky.url, late.url], true);
      await drain();
      expect(late.putsOf(z32Encode(signer.publicKey))).toHaveLength(1);
    } finally {
      await setUpstreamTargets(db.pool, [pkarrRelay.address, flaky.url], true);
      await late.close();
    }
  });

  it('confirmed packets of domains are republished after the interval', async () => {
    const signer = await newDomain();
    const key = z32Encode(signer.publicKey);
    await sync(packetOf(signer, 'keep me alive'));
    await drain();
    await db.pool.query(
      "UPDATE upstream_forwards SET confirmed_at = now() - interval '2 hours' WHERE public_key = $1",
      [key],
    );
    expect(await forwarder.markRepublishDue()).toBe(2); // pkarr relay and DHT; flaky is pending
    await drain();
    expect((await forwards(key)).filter((r) => r.state === 'confirmed')).toHaveLength(2);
  });
});

describe('the relay bridged to the DHT', () => {
  it('a packet PUT to our relay reaches the DHT', async () => {
    const signer = seedSigner(randomSeed());
    const packet = packetOf(signer, 'put to relay');
    expect(await relayClient.put(`${base}/relay`, packet)).toMatchObject({ kind: 'published' });
    await drain();
    expect((await peers[1]!.get(signer.publicKey))?.timestamp).toBe(packet.timestamp);
  });

  it('a GET for a key only the DHT holds is answered from the DHT, then from the store', async () => {
    const signer = seedSigner(randomSeed());
    const packet = packetOf(signer, 'only on the DHT');
    await peers[2]!.put(packet);
    const first = await relayClient.get(`${base}/relay`, signer.publicKey);
    expect(first).toMatchObject({ kind: 'found', packet: { timestamp: packet.timestamp } });
    const { rows } = await db.pool.query('SELECT 1 FROM relay_packets WHERE public_key = $1', [
      z32Encode(signer.publicKey),
    ]);
    expect(rows).toHaveLength(1);
    const unknown = seedSigner(randomSeed());
    expect(await relayClient.get(`${base}/relay`, unknown.publicKey)).toEqual({
      kind: 'not_found',
    });
  });

  it('a flood of GETs for unknown keys is answered 404 (lookups bounded) and the relay stays up', async () => {
    const keys = Array.from({ length: 3 * MAX_DHT_LOOKUPS }, () =>
      z32Encode(seedSigner(randomSeed()).publicKey),
    );
    const answers = await Promise.all(
      [...keys, ...keys].map((key) => fetch(`${base}/relay/${key}`).then((r) => r.status)),
    );
    expect(new Set(answers)).toEqual(new Set([404]));
    const known = seedSigner(randomSeed());
    const packet = packetOf(known, 'still serving');
    expect(await relayClient.put(`${base}/relay`, packet)).toMatchObject({ kind: 'published' });
    expect(await relayClient.get(`${base}/relay`, known.publicKey)).toMatchObject({
      kind: 'found',
    });
  });
});
