// A PKARR relay backed by Postgres (docs/protocol.md): PUT /relay/<z32> stores a verified packet,
// GET returns it with the caching headers relays use. Status codes: 204 stored, 400 bad key or
// packet, 409 older than what we hold, 412 If-Match lost, 413 too large, 428 a concurrent
// publish for the same key, 429 rate limited; GET 200, 304, 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import {
  decodeRelayPayload,
  encodeRelayPayload,
  minRecordTtl,
  MAX_RELAY_PAYLOAD,
  parsePublicKey,
  PkarrError,
  z32Encode,
  type SignedPacket,
} from '../../src-shared/pkarr';
import type { DhtClient } from '../../src-shared/publish/dht-client';
import { nativeVerifier } from '../../src-node/native-ed25519';

export const RELAY_CONTENT_TYPE = 'application/pkarr.org/relays#payload';
const MIN_MAX_AGE = 300;
const MAX_MAX_AGE = 86_400;

export interface RelayOptions {
  readonly pool: pg.Pool;
  /** When set, a key this relay does not hold is looked up on the DHT (and kept). */
  readonly dht?: DhtClient | undefined;
}

interface StoredPacket {
  payload: Buffer;
  packet_timestamp: string;
  min_ttl: number;
}

/**
 * At most this many DHT lookups run at once: a GET for an unknown key costs the relay a DHT
 * lookup (seconds), so a flood of random keys must not pile up lookups. Past the cap a GET for
 * a key the relay does not hold is a plain 404; the same key asked twice shares one lookup.
 */
export const MAX_DHT_LOOKUPS = 32;

function boundedLookups() {
  const inFlight = new Map<string, Promise<StoredPacket | undefined>>();
  return (pool: pg.Pool, dht: DhtClient, key: string): Promise<StoredPacket | undefined> => {
    const running = inFlight.get(key);
    if (running) return running;
    if (inFlight.size >= MAX_DHT_LOOKUPS) return Promise.resolve(undefined);
    const lookup = resolveFromDht(pool, dht, key).finally(() => inFlight.delete(key));
    inFlight.set(key, lookup);
    return lookup;
  };
}

/** The bridge's read side: the DHT's newest packet for the key, stored so the next GET is local. */
async function resolveFromDht(
  pool: pg.Pool,
  dht: DhtClient,
  key: string,
): Promise<StoredPacket | undefined> {
  const packet = await dht.get(parsePublicKey(key)).catch(() => undefined);
  if (!packet) return undefined;
  const stored: StoredPacket = {
    payload: Buffer.from(encodeRelayPayload(packet)),
    packet_timestamp: String(packet.timestamp),
    min_ttl: minTtl(packet),
  };
  // Kept through the same decision a PUT takes: a packet stored meanwhile that is newer wins.
  await pool.query('SELECT relay_put($1, $2, $3, $4, NULL)', [
    key,
    stored.payload,
    packet.timestamp,
    stored.min_ttl,
  ]);
  return stored;
}

function cors(reply: FastifyReply): void {
  void reply
    .header('Access-Control-Allow-Origin', '*')
    .header('Access-Control-Allow-Methods', 'GET, PUT, OPTIONS')
    .header('Access-Control-Allow-Headers', 'Content-Type, If-Match, If-Modified-Since')
    .header('Access-Control-Expose-Headers', 'Last-Modified, Cache-Control');
}

const plain = (reply: FastifyReply, status: number, message: string) =>
  reply.status(status).type('text/plain').send(message);

function keyOf(request: FastifyRequest<{ Params: { key: string } }>): string | undefined {
  try {
    return z32Encode(parsePublicKey(request.params.key));
  } catch {
    return undefined;
  }
}

const minTtl = (packet: SignedPacket): number => minRecordTtl(packet, MIN_MAX_AGE);

export async function pkarrRelay(app: FastifyInstance, options: RelayOptions): Promise<void> {
  const lookUp = boundedLookups();

  // Relay bodies are raw bytes, whatever Content-Type the client sends (or none).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: MAX_RELAY_PAYLOAD },
    (_req, body, done) => done(null, body),
  );
  app.addHook('onRequest', async (request, reply) => {
    cors(reply);
    // The relay media type (`application/pkarr.org/relays#payload`) is not a valid RFC 9110
    // media type, and Fastify answers 415 before any parser runs; the body is raw bytes anyway.
    if (request.headers['content-type'] !== undefined)
      request.headers['content-type'] = 'application/octet-stream';
  });

  app.options('/:key', async (_request, reply) => reply.status(204).send());

  app.get<{ Params: { key: string } }>('/:key', async (request, reply) => {
    const key = keyOf(request);
    if (!key) return plain(reply, 400, 'Invalid public key');
    const { rows } = await options.pool.query<StoredPacket>(
      'SELECT payload, packet_timestamp, min_ttl FROM relay_packets WHERE public_key = $1',
      [key],
    );
    const row = rows[0] ?? (options.dht && (await lookUp(options.pool, options.dht, key)));
    if (!row) return plain(reply, 404, 'Not found');
    const modifiedSeconds = Math.floor(Number(row.packet_timestamp) / 1_000_000);
    const maxAge = Math.min(MAX_MAX_AGE, Math.max(MIN_MAX_AGE, row.min_ttl));
    void reply
      .header('Cache-Control', `public, max-age=${maxAge}`)
      .header('Last-Modified', new Date(modifiedSeconds * 1000).toUTCString());
    const since = Date.parse(request.headers['if-modified-since'] ?? '');
    if (!Number.isNaN(since) && modifiedSeconds <= Math.floor(since / 1000))
      return reply.status(304).send();
    // Written raw: Fastify replaces a Content-Type with a '#' in it by application/octet-stream.
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'Content-Type': RELAY_CONTENT_TYPE,
      'Content-Length': row.payload.length,
    });
    reply.raw.end(row.payload);
    return reply;
  });

  app.put<{ Params: { key: string }; Body: Buffer }>('/:key', async (request, reply) => {
    const key = keyOf(request);
    if (!key) return plain(reply, 400, 'Invalid public key');
    const body = request.body;
    if (!Buffer.isBuffer(body)) return plain(reply, 400, 'Missing body');
    let packet: SignedPacket;
    try {
      packet = decodeRelayPayload(nativeVerifier, parsePublicKey(key), new Uint8Array(body));
    } catch (error) {
      const code = error instanceof PkarrError ? error.code : 'INVALID';
      if (code === 'PAYLOAD_TOO_LARGE') return plain(reply, 413, 'Payload too large');
      return plain(reply, 400, `Invalid signed packet (${code})`);
    }
    const ifMatchHeader = request.headers['if-match'];
    const ifMatch =
      ifMatchHeader === undefined ? undefined : Number(String(ifMatchHeader).replace(/"/g, ''));
    if (ifMatch !== undefined && !Number.isSafeInteger(ifMatch))
      return plain(reply, 400, 'Invalid If-Match');

    // One statement decides and writes (relay_put()): lock, If-Match, freshness, store.
    const { rows } = await options.pool.query<{ status: number }>(
      'SELECT relay_put($1, $2, $3, $4, $5) AS status',
      [key, body, packet.timestamp, minTtl(packet), ifMatch ?? null],
    );
    const status = rows[0]!.status;
    if (status === 428) return plain(reply, 428, 'Another publish for this key is in progress');
    if (status === 412) return plain(reply, 412, 'If-Match does not match the current timestamp');
    if (status === 409) return plain(reply, 409, 'A newer packet is already stored');
    return reply.status(204).send();
  });
}
