// `npm run bench -- devices`: a family's two devices kept in step by the companion server
// (issue 20's target: a publish on one shown on the other within p99 < 500 ms on loopback).
// The server runs as operators run it (`server/main.ts`, its own process, embedded Postgres);
// the two devices are main's real services in this process, each with its own data dir and
// keychain service. Each change: device 1 saves and publishes records; measured until device 2's
// store holds that packet (pulled from the server's relay after the feed's word, signature
// checked) and main has told its renderer. 100 changes alone, then 100 more with 50 other
// families' traffic beside them: each family's member uploading packets and following its feed.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../server/db/embedded-postgres';
import { startMainServices, type MainServices } from '../src-main/services';
import { osKeychain } from '../src-main/custody/secret-store';
import { FeedClient } from '../src-node/feed-client';
import { randomSeed, seedSigner } from '../src-node/native-ed25519';
import { COMPANION_TARGET } from '../src-shared/publish/targets';
import {
  call,
  createFamily,
  registerDomain,
  signIn,
  syncedPacket,
} from '../test/support/api-client';
import { PersonDialogs } from '../test/support/person-dialogs';

const CHANGES = 100;
const FAMILIES = 50;
/** Packets per second each background family uploads. */
const FAMILY_RATE = 2;
const TARGET_P99_MS = 500;

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return Math.round(value * 10) / 10;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startServerProcess(dir: string) {
  const [port, feedPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      FEED_PORT: String(feedPort),
      PUBLIC_ORIGIN: base,
      PUBKY_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      // The bench's own families sign in and write far faster than people do.
      SIGN_IN_PER_MINUTE: '100000',
      WRITES_PER_MINUTE: '1000000',
      RELAY_PUTS_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(200);
  }
  return {
    base,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Device {
  readonly main: MainServices;
  readonly dir: string;
  readonly service: string;
}

async function device(base: string, name: string, person: PersonDialogs): Promise<Device> {
  const dir = await mkdtemp(join(tmpdir(), `pubky-bench-${name}-`));
  const service = `pubky-domains-bench-${process.pid}-${name}`;
  const main = await startMainServices({
    dataDir: dir,
    version: 'bench',
    serverUrl: () => base,
    relays: [],
    dhtBootstrap: null,
    keychainService: service,
    dialogs: person,
  });
  return { main, dir, service };
}

/** Publishes `count` changes on `from`; each timed until `to` holds the packet and said so. */
async function measure(from: Device, to: Device, domain: string, count: number, tag: string) {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const records = [{ type: 'TXT' as const, name: '@', ttl: 300, strings: [`${tag} ${i}`] }];
    const started = performance.now();
    let timestamp = 0;
    const shown = new Promise<void>((resolve) => {
      const stop = to.main.events.subscribe((event, payload) => {
        if (
          event === 'domains:changed' &&
          (payload as { domains: string[] }).domains.includes(domain) &&
          to.main.store.getPacket(domain)?.timestamp === timestamp
        ) {
          stop();
          resolve();
        }
      });
    });
    await from.main.handlers['records:save']({ domain, records });
    const published = await from.main.handlers['records:publish']({ domain, onTop: true });
    if (published.outcome !== 'queued') throw new Error('publish did not queue');
    timestamp = published.timestamp;
    const deadline = sleep(10_000).then(() => {
      throw new Error(`change ${i} not shown on the other device within 10 s`);
    });
    await Promise.race([shown, deadline]);
    latencies.push(performance.now() - started);
    await sleep(20);
  }
  return {
    changes: count,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: percentile(latencies, 1),
  };
}

/** 50 other families: each member uploads packets at FAMILY_RATE/s and follows its feed. */
async function backgroundTraffic(base: string) {
  const feedUrl = ((await (await fetch(`${base}/healthz`)).json()) as { feedUrl: string }).feedUrl;
  const families = await Promise.all(
    Array.from({ length: FAMILIES }, async (_, i) => {
      const user = await signIn(base);
      const familyId = await createFamily(base, user, `Background ${i}`);
      const signer = seedSigner(randomSeed());
      await registerDomain(base, user, familyId, signer);
      const feed = new FeedClient({
        urls: [feedUrl],
        token: async () => user.accessToken,
        subscriptions: [{ familyId }],
      });
      let received = 0;
      feed.on('event', () => received++);
      feed.start();
      return { user, signer, feed, received: () => received };
    }),
  );
  let running = true;
  let uploaded = 0;
  const loops = families.map(async (family, i) => {
    await sleep((i * 1000) / FAMILIES / FAMILY_RATE);
    while (running) {
      const answer = await call(base, 'POST', '/sync/packets', {
        token: family.user.accessToken,
        body: { packets: [syncedPacket(family.signer, Date.now() * 1000, randomUUID())] },
      });
      if (answer.status === 200) uploaded++;
      await sleep(1000 / FAMILY_RATE);
    }
  });
  const started = performance.now();
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      for (const family of families) family.feed.stop();
      const seconds = (performance.now() - started) / 1000;
      return {
        families: FAMILIES,
        packetsPerSecond: Math.round(uploaded / seconds),
        feedEventsReceived: families.reduce((n, f) => n + f.received(), 0),
      };
    },
  };
}

export async function benchDevices(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'pubky-bench-devices-'));
  const server = await startServerProcess(dir);
  const laptopPerson = new PersonDialogs();
  const laptop = await device(server.base, 'laptop', laptopPerson);
  const phone = await device(server.base, 'phone', new PersonDialogs());
  try {
    const h1 = laptop.main.handlers;
    const h2 = phone.main.handlers;
    const alex = (await h1['keys:create']({ label: 'Alex' })).publicKey;
    const sam = (await h2['keys:create']({ label: 'Sam' })).publicKey;
    await h1['session:sign-in']({ publicKey: alex });
    const signedIn = await h2['session:sign-in']({ publicKey: sam });
    if (signedIn.state !== 'signed-in') throw new Error('the phone did not sign in');
    const family = await h1['family:create']({ name: 'Bench family' });
    await h1['family:invite']({ familyId: family.id, publicKey: sam, role: 'member' });
    const [invitation] = await h2['invitations:list'](undefined);
    await h2['invitations:accept']({ invitationId: invitation!.invitationId });
    const domain = (await h1['keys:create']({ label: 'bench domain' })).publicKey;
    await h1['family:register-domain']({ familyId: family.id, publicKey: domain });
    const domainId = (await h1['family:get']({ familyId: family.id })).domains[0]!.id;
    laptopPerson.willConfirm(true);
    await h1['family:share-key']({ familyId: family.id, domainId, userId: signedIn.userId });
    const [share] = await h2['key-shares:list'](undefined);
    await h2['key-shares:accept']({ keyShareId: share!.keyShareId });
    // The phone's feed is up once it hears the laptop's first publish.
    await measure(laptop, phone, domain, 3, 'warm-up');

    const alone = await measure(laptop, phone, domain, CHANGES, 'alone');
    const traffic = await backgroundTraffic(server.base);
    await sleep(1000);
    const beside = await measure(laptop, phone, domain, CHANGES, 'beside');
    const background = await traffic.stop();
    const uploads = laptop.main.store
      .outboxEntries(domain)
      .filter((e) => e.target === COMPANION_TARGET && e.state === 'done').length;
    return {
      name: 'devices',
      description:
        'publish on device 1 → shown on device 2 (packet pulled through the companion server, signature checked, renderer told)',
      target: { p99Ms: TARGET_P99_MS },
      alone: { ...alone, met: alone.p99Ms < TARGET_P99_MS },
      besideFamilies: { ...beside, ...background, met: beside.p99Ms < TARGET_P99_MS },
      uploadsDone: uploads,
    };
  } finally {
    for (const d of [laptop, phone]) {
      for (const key of d.main.vault.list()) d.main.vault.delete(key, key);
      osKeychain(d.service).delete(`session:${new URL(server.base).origin}`);
      await d.main.close();
      await rm(d.dir, { recursive: true, force: true });
    }
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
