// Faults: a relay that hangs, fails or answers garbage holds back no other relay; each relay's
// outcome is recorded; failed deliveries retry with backoff until they succeed.
import { afterAll, describe, expect, it } from 'vitest';
import { z32Encode } from '../../src-shared/pkarr';
import { nativeVerifier, randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { Publisher } from '../../src-main/publish/publisher';
import { RelayClient } from '../../src-shared/publish/relay-client';
import { LocalStore } from '../../src-main/store/local-store';
import { FaultRelay } from '../support/fault-relay';

const relays = {
  good: await FaultRelay.start('ok'),
  hang: await FaultRelay.start('hang'),
  error500: await FaultRelay.start('error500'),
  garbage: await FaultRelay.start('garbage'),
  limited: await FaultRelay.start('rate-limit'),
};
afterAll(() => Promise.all(Object.values(relays).map((relay) => relay.close())));

describe('publishing with faulty relays', () => {
  let clock = 1_000_000;
  const store = new LocalStore(':memory:');
  const publisher = new Publisher({
    store,
    verifier: nativeVerifier,
    relayClient: new RelayClient({ verifier: nativeVerifier, timeoutMs: 1500 }),
    relays: () => Object.values(relays).map((relay) => relay.url),
    now: () => clock,
    backoffMs: (attempts) => 1000 * 2 ** attempts,
  });
  const signer = seedSigner(randomSeed());
  const domain = z32Encode(signer.publicKey);

  it('delivers to the good relay while the others fail, and records every outcome', async () => {
    const started = Date.now();
    publisher.publish(signer, [{ type: 'A', name: '@', ttl: 60, address: '192.0.2.7' }]);
    await publisher.processOutbox();
    // The good relay got the packet as soon as it was asked, not after the hanging one's timeout.
    expect(relays.good.putsOf(domain)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);

    const entries = Object.fromEntries(
      store
        .outboxEntries(domain)
        .map((e) => [Object.entries(relays).find(([, r]) => r.url === e.target)?.[0], e]),
    );
    expect(entries['good']?.state).toBe('done');
    for (const name of ['hang', 'error500', 'garbage', 'limited']) {
      expect(entries[name]?.state, name).toBe('pending');
      expect(entries[name]?.attempts, name).toBe(1);
      expect(entries[name]?.nextAttemptAt, name).toBeGreaterThan(clock);
    }
    expect(entries['hang']?.lastError).toBe('timed out');
    expect(entries['error500']?.lastError).toBe('HTTP 500');
    expect(entries['limited']?.nextAttemptAt).toBe(clock + 30_000); // honours Retry-After
    const outcomes = store
      .history(domain)
      .map((h) => `${h.target === relays.good.url ? 'good' : 'other'}:${h.outcome}`);
    expect(outcomes.sort()).toEqual([
      'good:done',
      'other:retry',
      'other:retry',
      'other:retry',
      'other:retry',
    ]);
  });

  it('retries with backoff and succeeds once a relay recovers, sending it exactly once', async () => {
    expect(await publisher.processOutbox()).toBe(0); // nothing is due yet
    relays.error500.mode = 'ok';
    relays.garbage.mode = 'ok';
    relays.hang.mode = 'ok';
    clock += 2000;
    await publisher.processOutbox();
    for (const relay of [relays.error500, relays.garbage, relays.hang]) {
      expect(relay.putsOf(domain)).toHaveLength(1);
    }
    const pending = store.outboxEntries(domain).filter((e) => e.state !== 'done');
    expect(pending.map((e) => e.target)).toEqual([relays.limited.url]);
  });

  it('a newer packet supersedes queued publishes of the older one', async () => {
    const newer = publisher.publish(signer, [
      { type: 'A', name: '@', ttl: 60, address: '192.0.2.8' },
    ]);
    const old = store
      .outboxEntries(domain)
      .filter((e) => e.timestamp !== newer.timestamp && e.state !== 'done');
    expect(old.every((e) => e.state === 'superseded')).toBe(true);
    await publisher.processOutbox();
    expect(relays.good.packets.get(domain)?.timestamp).toBe(newer.timestamp);
  });
});
