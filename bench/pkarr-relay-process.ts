// The `pkarr` npm package's relay (pkarr/lib/relay.js) in a process of its own for
// `npm run bench -- api`, over a loopback bittorrent-dht network: our server is measured in one
// process, so the peer gets one too. It logs every request to stdout, which is discarded; the
// address goes to the parent over IPC.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DHT as PkarrDht } from 'pkarr/lib/dht.js';
import PkarrRelay from 'pkarr/lib/relay.js';
import { DhtClient } from '../src-shared/publish/dht-client';
import { nativeVerifier } from '../src-node/native-ed25519';
import { createMainlineNode } from '../src-node/mainline-node';

const seed = await DhtClient.start({
  createNode: createMainlineNode,
  verifier: nativeVerifier,
  bootstrap: false,
});
const peer = await DhtClient.start({
  createNode: createMainlineNode,
  verifier: nativeVerifier,
  bootstrap: [seed.address()],
});
const storageLocation = await mkdtemp(join(tmpdir(), 'pubky-bench-pkarr-relay-'));
const relay = await PkarrRelay.start({
  dht: new PkarrDht({
    bootstrap: [`${seed.address().host}:${seed.address().port}`],
    storageLocation,
  }),
  port: 0,
});
process.send!({ url: relay.address });
process.on('disconnect', () => {
  void Promise.all([relay.close(), seed.destroy(), peer.destroy()])
    .then(() => rm(storageLocation, { recursive: true, force: true }))
    .then(() => process.exit(0));
});
