// A client for PKARR relays (docs/protocol.md): PUT /<z32> with sig ‖ timestamp ‖ dns, GET /<z32>.
// Every call has a deadline; every answer becomes an outcome the outbox knows what to do with.
// Shared: the app's outbox and the server's upstream forwarder both publish through it.
import {
  compareFreshness,
  decodeRelayPayload,
  encodeRelayPayload,
  PkarrError,
  z32Encode,
  type Ed25519Verifier,
  type SignedPacket,
} from '../pkarr';

export type PutOutcome =
  | { readonly kind: 'published'; readonly status: number }
  /** The relay already holds this packet or a newer one. */
  | { readonly kind: 'stale'; readonly status: number; readonly newer?: SignedPacket }
  /** The relay refuses this packet for good (bad packet, too large). */
  | { readonly kind: 'rejected'; readonly status: number; readonly detail: string }
  /** Try again later: rate limited, server error, timeout, unreachable, nonsense. */
  | {
      readonly kind: 'retry';
      readonly status?: number;
      readonly detail: string;
      readonly retryAfterMs?: number;
    };

export type GetOutcome =
  | { readonly kind: 'found'; readonly packet: SignedPacket }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'error'; readonly status?: number; readonly detail: string };

export interface RelayClientOptions {
  readonly verifier: Ed25519Verifier;
  readonly timeoutMs?: number;
  readonly fetch?: Fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

const relayUrl = (relay: string, publicKey: Uint8Array) =>
  `${relay.replace(/\/+$/, '')}/${z32Encode(publicKey)}`;

function describe(error: unknown): string {
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'timed out' : error.message;
  return String(error);
}

type Fetch = typeof fetch;
type Response = Awaited<ReturnType<Fetch>>;

function retryAfter(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export class RelayClient {
  private readonly timeoutMs: number;
  private readonly fetch: Fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RelayClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    // Called through a closure: a browser's fetch refuses to run with another `this`.
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async get(relay: string, publicKey: Uint8Array): Promise<GetOutcome> {
    let response: Response;
    let body: Uint8Array;
    try {
      response = await this.fetch(relayUrl(relay, publicKey), {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      return { kind: 'error', detail: describe(error) };
    }
    if (response.status === 404) return { kind: 'not_found' };
    if (response.status !== 200)
      return { kind: 'error', status: response.status, detail: `HTTP ${response.status}` };
    try {
      return { kind: 'found', packet: decodeRelayPayload(this.options.verifier, publicKey, body) };
    } catch (error) {
      const code = error instanceof PkarrError ? error.code : 'INVALID';
      return { kind: 'error', status: 200, detail: `relay answered an invalid packet (${code})` };
    }
  }

  /**
   * Publishes one packet. A 412 (If-Match lost a race) or 409 (relay holds something newer) is
   * settled by reading what the relay holds; a 428 (another publish in progress) is retried
   * after a short pause.
   */
  async put(relay: string, packet: SignedPacket, ifMatch?: number): Promise<PutOutcome> {
    let expected = ifMatch;
    for (let attempt = 0; attempt < 3; attempt++) {
      const headers: Record<string, string> = {
        'Content-Type': 'application/pkarr.org/relays#payload',
      };
      if (expected !== undefined) headers['If-Match'] = String(expected);
      let response: Response;
      try {
        response = await this.fetch(relayUrl(relay, packet.publicKey), {
          method: 'PUT',
          body: encodeRelayPayload(packet),
          headers,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await response.arrayBuffer();
      } catch (error) {
        return { kind: 'retry', detail: describe(error) };
      }
      const status = response.status;
      if (status === 200 || status === 204) return { kind: 'published', status };
      if (status === 409 || status === 412) {
        const current = await this.get(relay, packet.publicKey);
        if (current.kind === 'found' && compareFreshness(current.packet, packet) >= 0) {
          return compareFreshness(current.packet, packet) === 0
            ? { kind: 'published', status }
            : { kind: 'stale', status, newer: current.packet };
        }
        if (status === 409)
          return {
            kind: 'retry',
            status,
            detail: 'relay reported a newer packet it would not show',
          };
        expected = current.kind === 'found' ? current.packet.timestamp : undefined;
        continue;
      }
      if (status === 428) {
        await this.sleep(100 + Math.random() * 400);
        continue;
      }
      if (status === 429) {
        const wait = retryAfter(response);
        return {
          kind: 'retry',
          status,
          detail: 'rate limited',
          ...(wait === undefined ? {} : { retryAfterMs: wait }),
        };
      }
      if (status === 400 || status === 413)
        return { kind: 'rejected', status, detail: `HTTP ${status}` };
      return { kind: 'retry', status, detail: `HTTP ${status}` };
    }
    return { kind: 'retry', detail: 'relay kept answering with conflicts' };
  }

  /** Asks every relay at once and keeps the newest valid packet. */
  async resolve(
    relays: readonly string[],
    publicKey: Uint8Array,
  ): Promise<{ packet: SignedPacket | undefined; outcomes: ReadonlyMap<string, GetOutcome> }> {
    const outcomes = new Map<string, GetOutcome>();
    let newest: SignedPacket | undefined;
    await Promise.all(
      relays.map(async (relay) => {
        const outcome = await this.get(relay, publicKey);
        outcomes.set(relay, outcome);
        if (outcome.kind === 'found' && (!newest || compareFreshness(outcome.packet, newest) > 0)) {
          newest = outcome.packet;
        }
      }),
    );
    return { packet: newest, outcomes };
  }
}
