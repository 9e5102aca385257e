// The companion server's PKARR relay, against docs/protocol.md: every status code and header, and
// the two third-party clients (the pkarr npm package and @synonymdev/pubky) publishing to it and
// resolving from it.
import { Client, Keypair, Pubky, PublicKey } from '@synonymdev/pubky';
import pg from 'pg';
import { Pkarr, SignedPacket as PkarrSignedPacket } from 'pkarr';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/http/app';
import { migrate } from '../../server/db/migrate';
import {
  compareFreshness,
  encodeRelayPayload,
  signPacket,
  z32Encode,
  type DnsRecord,
  type PacketSigner,
} from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { freshDatabase } from '../support/database';

const db = await freshDatabase();
await migrate(db.pool);

async function startRelay(putsPerMinute = 0) {
  const app = buildApp({
    pool: db.pool,
    logLevel: 'silent',
    publicOrigin: 'http://127.0.0.1',
    relayPutsPerMinute: putsPerMinute,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  afterAll(() => app.close());
  return `${url}/relay`;
}
const relay = await startRelay();

const A = (ttl = 300): DnsRecord => ({ type: 'A', name: '@', ttl, address: '192.0.2.50' });
const put = (signer: PacketSigner, payload: Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${relay}/${z32Encode(signer.publicKey)}`, { method: 'PUT', body: payload, headers });
const get = (key: string, headers: Record<string, string> = {}) =>
  fetch(`${relay}/${key}`, { headers });

describe('PKARR relay: PUT', () => {
  it('takes the body as raw bytes whatever Content-Type it names, the relay media type first', async () => {
    for (const type of [
      'application/pkarr.org/relays#payload',
      'application/octet-stream',
      'text/plain',
      'nonsense',
    ]) {
      const signer = seedSigner(randomSeed());
      const payload = encodeRelayPayload(signPacket(signer, [A(3600)]));
      expect((await put(signer, payload, { 'Content-Type': type })).status).toBe(204);
    }
  });

  it('204 stores a valid packet; GET 200 returns it with the relay headers', async () => {
    const signer = seedSigner(randomSeed());
    const packet = signPacket(signer, [A(3600)]);
    const payload = encodeRelayPayload(packet);
    expect((await put(signer, payload)).status).toBe(204);
    const response = await get(z32Encode(signer.publicKey));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pkarr.org/relays#payload');
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(response.headers.get('content-length')).toBe(String(payload.length));
    expect(response.headers.get('last-modified')).toBe(
      new Date(Math.floor(packet.timestamp / 1e6) * 1000).toUTCString(),
    );
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(payload);
  });

  it('clamps max-age to 300..86400 from the smallest record TTL', async () => {
    for (const [ttl, maxAge] of [
      [10, 300],
      [200_000, 86_400],
    ] as const) {
      const signer = seedSigner(randomSeed());
      await put(signer, encodeRelayPayload(signPacket(signer, [A(ttl), A(ttl + 5)])));
      expect((await get(z32Encode(signer.publicKey))).headers.get('cache-control')).toBe(
        `public, max-age=${maxAge}`,
      );
    }
  });

  it('400 for a bad key, a bad signature, a truncated body or no body', async () => {
    const signer = seedSigner(randomSeed());
    const payload = encodeRelayPayload(signPacket(signer, [A()]));
    expect((await fetch(`${relay}/not-a-key`, { method: 'PUT', body: payload })).status).toBe(400);
    const tampered = Uint8Array.from(payload);
    tampered[3] = tampered[3]! ^ 1;
    expect((await put(signer, tampered)).status).toBe(400);
    expect((await put(signer, payload.subarray(0, 71))).status).toBe(400);
    expect((await fetch(`${relay}/${z32Encode(signer.publicKey)}`, { method: 'PUT' })).status).toBe(
      400,
    );
    expect((await get(z32Encode(signer.publicKey))).status).toBe(404); // nothing was stored
  });

  it('413 for a body over 1072 bytes', async () => {
    const signer = seedSigner(randomSeed());
    expect((await put(signer, new Uint8Array(1073))).status).toBe(413);
  });

  it('409 for a packet older than the one stored; the same packet again is 204', async () => {
    const signer = seedSigner(randomSeed());
    const newer = encodeRelayPayload(
      signPacket(signer, [A()], { timestamp: Date.now() * 1000 - 1_000_000 }),
    );
    const older = encodeRelayPayload(
      signPacket(signer, [A()], { timestamp: 1_000_000_000_000_000 }),
    );
    expect((await put(signer, newer)).status).toBe(204);
    expect((await put(signer, older)).status).toBe(409);
    expect((await put(signer, newer)).status).toBe(204);
    expect(new Uint8Array(await (await get(z32Encode(signer.publicKey))).arrayBuffer())).toEqual(
      newer,
    );
  });

  it('on equal timestamps the larger DNS bytes win, whichever arrives first', async () => {
    const timestamp = Date.now() * 1000 - 2_000_000;
    const signer = seedSigner(randomSeed());
    const packetWith = (address: string) =>
      signPacket(signer, [{ type: 'A', name: '@', ttl: 300, address }], { timestamp });
    const small = packetWith('192.0.2.1');
    const large = packetWith('192.0.2.2');
    expect(compareFreshness(large, small)).toBeGreaterThan(0);
    expect((await put(signer, encodeRelayPayload(large))).status).toBe(204);
    expect((await put(signer, encodeRelayPayload(small))).status).toBe(409);
    const other = seedSigner(randomSeed());
    const otherWith = (address: string) =>
      encodeRelayPayload(
        signPacket(other, [{ type: 'A', name: '@', ttl: 300, address }], { timestamp }),
      );
    expect((await put(other, otherWith('192.0.2.1'))).status).toBe(204);
    expect((await put(other, otherWith('192.0.2.2'))).status).toBe(204);
    const held = new Uint8Array(await (await get(z32Encode(other.publicKey))).arrayBuffer());
    expect(held).toEqual(otherWith('192.0.2.2')); // ed25519 signatures are deterministic
  });

  it('412 when If-Match is not the stored timestamp; 204 when it is', async () => {
    const signer = seedSigner(randomSeed());
    const first = signPacket(signer, [A()], { timestamp: 1_700_000_000_000_000 });
    const second = signPacket(signer, [A(600)], { timestamp: 1_700_000_000_000_001 });
    expect((await put(signer, encodeRelayPayload(first), { 'If-Match': '1' })).status).toBe(412);
    expect((await put(signer, encodeRelayPayload(first))).status).toBe(204);
    expect(
      (await put(signer, encodeRelayPayload(second), { 'If-Match': '1699999999999999' })).status,
    ).toBe(412);
    expect(
      (await put(signer, encodeRelayPayload(second), { 'If-Match': String(first.timestamp) }))
        .status,
    ).toBe(204);
  });

  it('428 while another publish for the same key is in progress', async () => {
    const signer = seedSigner(randomSeed());
    const key = z32Encode(signer.publicKey);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 7261))', [key]);
    try {
      expect((await put(signer, encodeRelayPayload(signPacket(signer, [A()])))).status).toBe(428);
    } finally {
      await holder.end();
    }
    expect((await put(signer, encodeRelayPayload(signPacket(signer, [A()])))).status).toBe(204);
  });

  it('429 with Retry-After once a client exceeds its PUT rate', async () => {
    const limited = await startRelay(2);
    const signer = seedSigner(randomSeed());
    const url = `${limited}/${z32Encode(signer.publicKey)}`;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const body = encodeRelayPayload(signPacket(signer, [A()]));
      const response = await fetch(url, { method: 'PUT', body });
      statuses.push(response.status);
      retryAfter ??= response.headers.get('retry-after');
    }
    expect(statuses).toEqual([204, 204, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('PKARR relay: GET', () => {
  it('404 for an unknown key, 400 for a malformed one', async () => {
    expect((await get(z32Encode(new Uint8Array(32).fill(200)))).status).toBe(404);
    expect((await get('0000')).status).toBe(400);
  });

  it('304 when not modified since; 200 when modified', async () => {
    const signer = seedSigner(randomSeed());
    await put(signer, encodeRelayPayload(signPacket(signer, [A()])));
    const key = z32Encode(signer.publicKey);
    const lastModified = (await get(key)).headers.get('last-modified')!;
    expect((await get(key, { 'If-Modified-Since': lastModified })).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await get(key, { 'If-Modified-Since': earlier })).status).toBe(200);
  });

  it('answers CORS preflight', async () => {
    const key = z32Encode(new Uint8Array(32).fill(1));
    const response = await fetch(`${relay}/${key}`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
  });
});

describe('third-party clients against our relay', () => {
  it('the pkarr package publishes with relayPut and resolves with relayGet', async () => {
    const keypair = Pkarr.generateKeyPair();
    const packet = PkarrSignedPacket.fromPacket(keypair, {
      id: 0,
      type: 'response',
      answers: [{ name: '@', type: 'TXT', ttl: 300, class: 'IN', data: ['hello from pkarr'] }],
    });
    const response = await Pkarr.relayPut(relay, packet);
    expect(response.status).toBe(204);
    const back = await Pkarr.relayGet(relay, keypair.publicKey);
    expect(back.timestamp()).toBe(packet.timestamp());
    expect(back.packet().answers?.[0]).toMatchObject({ type: 'TXT' });
  });

  it('@synonymdev/pubky publishes a homeserver record and resolves it', async () => {
    const client = new Client({ pkarr: { relays: [relay], requestTimeout: 5000 } });
    const pubky = Pubky.withClient(client);
    const user = Keypair.random();
    const homeserver = Keypair.random().publicKey.z32();
    // wasm-bindgen hands objects over to Rust: each call gets its own.
    await pubky.signer(user).pkdns.publishHomeserverForce(PublicKey.from(homeserver));
    expect((await get(user.publicKey.z32())).status).toBe(200);
    const resolved = await pubky.getHomeserverOf(PublicKey.from(user.publicKey.z32()));
    expect(resolved?.z32()).toBe(homeserver);
  });
});
