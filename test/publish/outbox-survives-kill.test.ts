// A publishing process killed mid-flight (SIGKILL) resumes its outbox on restart: every packet
// reaches every relay, and none reaches any relay twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z32Encode } from '../../src-shared/pkarr';
import { nativeVerifier, seedSigner } from '../../src-node/native-ed25519';
import { Publisher } from '../../src-main/publish/publisher';
import { RelayClient } from '../../src-shared/publish/relay-client';
import { LocalStore } from '../../src-main/store/local-store';
import { FaultRelay } from '../support/fault-relay';
import { spawnNode, waitFor } from '../support/processes';

const DOMAINS = 3;
const dir = await mkdtemp(join(tmpdir(), 'pubky-outbox-'));
const good = await FaultRelay.start('ok');
const holding = await FaultRelay.start('hold');
const failing = await FaultRelay.start('error500');
afterAll(async () => {
  await Promise.all([good.close(), holding.close(), failing.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('outbox after a crash', () => {
  it('resumes with nothing lost and nothing sent twice', async () => {
    const dbPath = join(dir, 'app.sqlite');
    const relays = [good.url, holding.url, failing.url];
    const worker = spawnNode([
      '--import',
      'tsx',
      'test/support/publish-worker.ts',
      dbPath,
      JSON.stringify(relays),
      String(DOMAINS),
    ]);
    // Kill it once the holding relay has taken every packet but answered none.
    await waitFor(
      async () =>
        holding.puts.length === DOMAINS && good.puts.length === DOMAINS ? true : undefined,
      20_000,
    );
    worker.child.kill('SIGKILL');
    await worker.exited;
    expect(failing.puts).toHaveLength(0);

    holding.mode = 'ok';
    failing.mode = 'ok';
    const store = new LocalStore(dbPath);
    expect(store.recoverInFlight()).toBeGreaterThanOrEqual(DOMAINS);
    const publisher = new Publisher({
      store,
      verifier: nativeVerifier,
      relayClient: new RelayClient({ verifier: nativeVerifier, timeoutMs: 5000 }),
      relays: () => relays,
      backoffMs: () => 0,
    });
    await waitFor(async () => {
      await publisher.processOutbox();
      return store.outboxEntries().every((e) => e.state === 'done') ? true : undefined;
    }, 20_000);

    for (let i = 0; i < DOMAINS; i++) {
      const domain = z32Encode(seedSigner(new Uint8Array(32).fill(i + 1)).publicKey);
      for (const relay of [good, holding, failing]) {
        expect(relay.putsOf(domain), relay.url).toHaveLength(1);
        expect(relay.packets.get(domain)?.records).toEqual([
          { type: 'TXT', name: '@', ttl: 60, strings: [`domain ${i}`] },
        ]);
      }
    }
    expect(store.outboxEntries()).toHaveLength(DOMAINS * relays.length);
    store.close();
  });
});
