// A fresh machine recovering a key through guardians, in its own process: it asks (printing the
// one-time key its guardians must name), waits for the shares, rebuilds the key and prints a
// packet signed with it for the test to verify against the domain's public key.
import { startMainServices } from '../../src-main/services';
import { encodeRelayPayload, signPacket } from '../../src-shared/pkarr';
import { PersonDialogs } from './person-dialogs';

const [dataDir, service, server, domain] = process.argv.slice(2);
const main = await startMainServices({
  dataDir: dataDir!,
  version: 'test',
  serverUrl: () => server!,
  relays: [],
  dhtBootstrap: null,
  keychainService: service!,
  dialogs: new PersonDialogs(),
});
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const started = await main.handlers['recovery:start']({ publicKey: domain! });
if (started.state !== 'waiting') throw new Error('not waiting');
print({ asked: started.recovery.ephemeralPublicKey });
const deadline = Date.now() + 60_000;
for (;;) {
  const status = await main.handlers['recovery:status'](undefined);
  if (status.state === 'recovered') {
    const packet = signPacket(main.vault.signer(status.publicKey), [
      { type: 'TXT', name: '@', ttl: 60, strings: ['signed by the recovered key'] },
    ]);
    print({
      recovered: status.publicKey,
      packet: Buffer.from(encodeRelayPayload(packet)).toString('base64'),
    });
    break;
  }
  if (status.state !== 'waiting' || Date.now() > deadline) {
    print({ failed: status.state });
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
}
await main.close();
