// Our relay client and DHT client against the protocol author's own relay (pkarr/lib/relay.js),
// running over a real bittorrent-dht network on loopback (no public bootstrap nodes).
import { createMainlineNode } from '../../src-node/mainline-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pkarr, SignedPacket as PkarrSignedPacket } from 'pkarr';
import { DHT as PkarrDht } from 'pkarr/lib/dht.js';
import PkarrRelay from 'pkarr/lib/relay.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRelayPayload, signPacket, z32Encode, type DnsRecord } from '../../src-shared/pkarr';
import { nativeVerifier, randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { DhtClient } from '../../src-shared/publish/dht-client';
import { RelayClient } from '../../src-shared/publish/relay-client';

const records: DnsRecord[] = [
  { type: 'A', name: '@', ttl: 300, address: '192.0.2.44' },
  {
    type: 'HTTPS',
    name: '_pubky',
    ttl: 3600,
    priority: 0,
    target: z32Encode(new Uint8Array(32).fill(9)),
    params: [],
  },
];

let nodes: DhtClient[] = [];
let relay: PkarrRelay;
let storageDir: string;
const client = new RelayClient({ verifier: nativeVerifier, timeoutMs: 5000 });

beforeAll(async () => {
  const first = await DhtClient.start({
    createNode: createMainlineNode,
    verifier: nativeVerifier,
    bootstrap: false,
    timeoutMs: 5000,
  });
  const bootstrap = [first.address()];
  nodes = [first];
  for (let i = 0; i < 3; i++) {
    nodes.push(
      await DhtClient.start({
        createNode: createMainlineNode,
        verifier: nativeVerifier,
        bootstrap,
        timeoutMs: 5000,
      }),
    );
  }
  storageDir = await mkdtemp(join(tmpdir(), 'pkarr-relay-'));
  const dht = new PkarrDht({
    bootstrap: bootstrap.map((node) => `${node.host}:${node.port}`),
    storageLocation: storageDir,
  });
  relay = await PkarrRelay.start({ dht, port: 0 });
});

afterAll(async () => {
  await relay?.close();
  await Promise.all(nodes.map((node) => node.destroy()));
  await rm(storageDir, { recursive: true, force: true });
});

describe('against the pkarr npm relay on a loopback DHT', () => {
  it('publishes to it with our relay client and resolves the packet back', async () => {
    const signer = seedSigner(randomSeed());
    const packet = signPacket(signer, records);
    expect(await client.put(relay.address, packet)).toMatchObject({ kind: 'published' });
    const back = await client.get(relay.address, signer.publicKey);
    expect(back).toMatchObject({
      kind: 'found',
      packet: { timestamp: packet.timestamp, records: packet.records },
    });
    // and the pkarr package's own relay client reads the same packet
    const theirs = await Pkarr.relayGet(relay.address, signer.publicKey);
    expect(theirs.timestamp()).toBe(packet.timestamp);
  });

  it('a packet our DHT client puts is read through the relay', async () => {
    const signer = seedSigner(randomSeed());
    const packet = signPacket(signer, records);
    const { nodes: stored } = await nodes[2]!.put(packet);
    expect(stored).toBeGreaterThan(0);
    const back = await client.get(relay.address, signer.publicKey);
    expect(back).toMatchObject({
      kind: 'found',
      packet: { timestamp: packet.timestamp, records: packet.records },
    });
  });

  it('a packet put through the relay is read by our DHT client', async () => {
    const signer = seedSigner(randomSeed());
    const packet = signPacket(signer, records);
    const theirs = PkarrSignedPacket.fromBytes(signer.publicKey, encodeRelayPayload(packet));
    expect((await Pkarr.relayPut(relay.address, theirs)).ok).toBe(true);
    const found = await nodes[3]!.get(signer.publicKey);
    expect(found?.timestamp).toBe(packet.timestamp);
    expect(found?.records).toEqual(packet.records);
  });

  it('resolving from several relays keeps the newest packet', async () => {
    const signer = seedSigner(randomSeed());
    const older = signPacket(signer, records, { timestamp: 1_700_000_000_000_000 });
    const newer = signPacket(signer, records, { timestamp: 1_700_000_000_000_001 });
    await nodes[1]!.put(older);
    expect(await client.put(relay.address, newer)).toMatchObject({ kind: 'published' });
    const resolved = await client.resolve([relay.address, 'http://127.0.0.1:9'], signer.publicKey);
    expect(resolved.packet?.timestamp).toBe(newer.timestamp);
    expect(resolved.outcomes.get('http://127.0.0.1:9')).toMatchObject({ kind: 'error' });
  });
});
