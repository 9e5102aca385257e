// The republisher puts every domain's packet out again without ever lowering what is out there:
// a newer packet found on the network (another device) is adopted, not overwritten — and when
// the family has edits it has not published, it is kept beside them as a conflict instead.
import { createMainlineNode } from '../../src-node/mainline-node';
import { afterAll, describe, expect, it } from 'vitest';
import { signPacket, z32Encode } from '../../src-shared/pkarr';
import { nativeVerifier, randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { DhtClient } from '../../src-shared/publish/dht-client';
import { Publisher } from '../../src-main/publish/publisher';
import { RelayClient } from '../../src-shared/publish/relay-client';
import { Republisher } from '../../src-main/publish/republisher';
import { LocalStore } from '../../src-main/store/local-store';
import { FaultRelay } from '../support/fault-relay';

const relay = await FaultRelay.start('ok');
const seedNode = await DhtClient.start({
  createNode: createMainlineNode,
  verifier: nativeVerifier,
  bootstrap: false,
  timeoutMs: 5000,
});
const dht = await DhtClient.start({
  createNode: createMainlineNode,
  verifier: nativeVerifier,
  bootstrap: [seedNode.address()],
  timeoutMs: 5000,
});
afterAll(async () => {
  await relay.close();
  await dht.destroy();
  await seedNode.destroy();
});

const relayClient = new RelayClient({ verifier: nativeVerifier, timeoutMs: 3000 });

/** An app of its own for each test (store, publisher, republisher) and a key of its own. */
function freshApp() {
  const store = new LocalStore(':memory:');
  const publisher = new Publisher({
    store,
    verifier: nativeVerifier,
    relayClient,
    relays: () => [relay.url],
    dht,
    backoffMs: () => 0,
  });
  const republisher = new Republisher({
    store,
    publisher,
    relayClient,
    relays: () => [relay.url],
    dht,
  });
  const signer = seedSigner(randomSeed());
  return { store, publisher, republisher, signer, domain: z32Encode(signer.publicKey) };
}

describe('republisher', () => {
  it('puts the same packet out again, same timestamp, to every target', async () => {
    const { store, publisher, republisher, signer, domain } = freshApp();
    const packet = publisher.publish(signer, [
      { type: 'A', name: '@', ttl: 60, address: '192.0.2.5' },
    ]);
    await publisher.processOutbox();
    expect(relay.putsOf(domain)).toHaveLength(1);
    const result = await republisher.runOnce();
    expect(result).toEqual({ republished: 1, adopted: 0 });
    expect(relay.putsOf(domain)).toEqual([
      `${domain}@${packet.timestamp}`,
      `${domain}@${packet.timestamp}`,
    ]);
    expect(store.getPacket(domain)?.timestamp).toBe(packet.timestamp);
    expect(store.outboxEntries(domain).every((e) => e.state === 'done')).toBe(true);
    expect((await dht.get(signer.publicKey))?.timestamp).toBe(packet.timestamp);
  });

  it('adopts a newer packet published elsewhere instead of overwriting it', async () => {
    const { store, publisher, republisher, signer, domain } = freshApp();
    publisher.publish(signer, [{ type: 'A', name: '@', ttl: 60, address: '192.0.2.6' }]);
    await publisher.processOutbox();
    const elsewhere = signPacket(
      signer,
      [{ type: 'A', name: '@', ttl: 60, address: '198.51.100.9' }],
      {
        timestamp: (store.getPacket(domain)?.timestamp ?? 0) + 1000,
      },
    );
    expect(await relayClient.put(relay.url, elsewhere)).toMatchObject({ kind: 'published' });
    const result = await republisher.runOnce();
    expect(result.adopted).toBe(1);
    expect(store.getPacket(domain)?.timestamp).toBe(elsewhere.timestamp);
    expect(store.getDrafts(domain)).toEqual(elsewhere.records);
    expect(relay.packets.get(domain)?.timestamp).toBe(elsewhere.timestamp);
    // and the next edit signs above it
    const next = publisher.publish(signer, [
      { type: 'A', name: '@', ttl: 60, address: '198.51.100.10' },
    ]);
    expect(next.timestamp).toBeGreaterThan(elsewhere.timestamp);
  });

  it('keeps a newer packet beside unpublished edits as a conflict, never over them', async () => {
    const { store, publisher, republisher, signer, domain } = freshApp();
    publisher.publish(signer, [{ type: 'A', name: '@', ttl: 60, address: '192.0.2.7' }]);
    await publisher.processOutbox();
    const edits = [
      { type: 'A' as const, name: '@', ttl: 60, address: '192.0.2.7' },
      { type: 'CNAME' as const, name: 'www', ttl: 60, target: 'example.org' },
    ];
    store.setDrafts(domain, edits, Date.now() + 1);
    const elsewhere = signPacket(
      signer,
      [{ type: 'A', name: '@', ttl: 60, address: '198.51.100.11' }],
      { timestamp: (store.getPacket(domain)?.timestamp ?? 0) + 1000 },
    );
    expect(await relayClient.put(relay.url, elsewhere)).toMatchObject({ kind: 'published' });
    const result = await republisher.runOnce();
    expect(result.adopted).toBe(0);
    expect(store.getDrafts(domain)).toEqual(edits);
    expect(store.getConflict(domain)?.timestamp).toBe(elsewhere.timestamp);
    // Adopting theirs makes it the domain's records; publishing on top would sign above it.
    expect(publisher.adoptConflict(domain)).toBe(true);
    expect(store.getDrafts(domain)).toEqual(elsewhere.records);
    expect(store.getConflict(domain)).toBeUndefined();
  });
});
