// BEP44 mutable items on the Mainline DHT (design.md §4): k = public key, seq = timestamp,
// v = DNS packet, sig = the packet's signature, no salt. bittorrent-dht speaks the protocol; we
// give it our verifier and read what it returns through our codec.
import DHT from 'bittorrent-dht';
import { createHash } from 'node:crypto';
import {
  compareFreshness,
  verifyPacket,
  type Ed25519Verifier,
  type SignedPacket,
} from '../../src-shared/pkarr';

export interface DhtNodeAddress {
  readonly host: string;
  readonly port: number;
}

export interface DhtClientOptions {
  readonly verifier: Ed25519Verifier;
  /** Nodes to join through; `false` starts a network of one (tests join others to it). */
  readonly bootstrap: readonly (DhtNodeAddress | string)[] | false;
  readonly host?: string;
  readonly port?: number;
  readonly timeoutMs?: number;
}

/** The public Mainline bootstrap nodes, used when the app is not told otherwise. */
export const MAINLINE_BOOTSTRAP = [
  'router.bittorrent.com:6881',
  'router.utorrent.com:6881',
  'dht.transmissionbt.com:6881',
  'dht.libtorrent.org:25401',
];

type BittorrentDht = DHT;
interface MutableValue {
  k: Uint8Array;
  seq: number;
  v: Uint8Array;
  sig: Uint8Array;
}

export class DhtClient {
  private constructor(
    private readonly dht: BittorrentDht,
    private readonly options: DhtClientOptions,
  ) {}

  static async start(options: DhtClientOptions): Promise<DhtClient> {
    const bootstrap =
      options.bootstrap === false
        ? false
        : options.bootstrap.map((node) =>
            typeof node === 'string' ? node : `${node.host}:${node.port}`,
          );
    const dht = new DHT({
      bootstrap,
      host: options.host ?? false,
      verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) =>
        options.verifier.verify(publicKey, message, signature),
    });
    await new Promise<void>((resolve, reject) => {
      dht.once('error', reject);
      dht.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    if (bootstrap !== false)
      await new Promise<void>((resolve) => dht.once('ready', () => resolve()));
    return new DhtClient(dht, options);
  }

  address(): DhtNodeAddress {
    const address = this.dht.address() as { address: string; port: number };
    return { host: address.address, port: address.port };
  }

  addNode(node: DhtNodeAddress): void {
    this.dht.addNode(node);
  }

  private withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
    const ms = this.options.timeoutMs ?? 15_000;
    return Promise.race([
      work,
      new Promise<T>((_, reject) =>
        setTimeout(() => reject(new Error(`DHT ${what} timed out after ${ms} ms`)), ms).unref(),
      ),
    ]);
  }

  /** Puts the packet; resolves with how many nodes accepted it. */
  put(packet: SignedPacket): Promise<{ nodes: number }> {
    const work = new Promise<{ nodes: number }>((resolve, reject) => {
      this.dht.put(
        {
          k: Buffer.from(packet.publicKey),
          seq: packet.timestamp,
          v: Buffer.from(packet.dns),
          sig: Buffer.from(packet.signature),
        },
        (error: Error | null, _hash: Uint8Array, nodes: number) =>
          error ? reject(error) : resolve({ nodes }),
      );
    });
    return this.withTimeout(work, 'put');
  }

  /** The newest valid packet the DHT holds for the key, or undefined. */
  get(publicKey: Uint8Array): Promise<SignedPacket | undefined> {
    const target = createHash('sha1').update(publicKey).digest();
    const work = new Promise<SignedPacket | undefined>((resolve, reject) => {
      this.dht.get(target, { cache: false }, (error: Error | null, value: MutableValue | null) => {
        if (error) return reject(error);
        if (!value) return resolve(undefined);
        try {
          resolve(
            verifyPacket(this.options.verifier, {
              publicKey: new Uint8Array(value.k),
              signature: new Uint8Array(value.sig),
              timestamp: value.seq,
              dns: new Uint8Array(value.v),
            }),
          );
        } catch {
          resolve(undefined);
        }
      });
    });
    return this.withTimeout(work, 'get');
  }

  destroy(): Promise<void> {
    return new Promise((resolve) => this.dht.destroy(() => resolve()));
  }
}

/** The fresher of two packets, either of which may be missing. */
export const fresher = (a: SignedPacket | undefined, b: SignedPacket | undefined) =>
  !a ? b : !b ? a : compareFreshness(a, b) >= 0 ? a : b;
