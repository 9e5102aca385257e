// A publishing process for the crash test: signs packets for a few domains into a SQLite store,
// then works the outbox until it is killed.
import { nativeVerifier, seedSigner } from '../../src-node/native-ed25519';
import { Publisher } from '../../src-main/publish/publisher';
import { RelayClient } from '../../src-shared/publish/relay-client';
import { LocalStore } from '../../src-main/store/local-store';

const [dbPath, relaysJson, countText] = process.argv.slice(2);
const relays = JSON.parse(relaysJson ?? '[]') as string[];
const store = new LocalStore(dbPath ?? ':memory:');
const publisher = new Publisher({
  store,
  verifier: nativeVerifier,
  relayClient: new RelayClient({ verifier: nativeVerifier, timeoutMs: 60_000 }),
  relays: () => relays,
  backoffMs: () => 100,
});
for (let i = 0; i < Number(countText ?? 3); i++) {
  const signer = seedSigner(new Uint8Array(32).fill(i + 1));
  publisher.publish(signer, [{ type: 'TXT', name: '@', ttl: 60, strings: [`domain ${i}`] }]);
}
console.log('queued');
const loop = () => void publisher.processOutbox().then(() => setTimeout(loop, 50));
loop();
