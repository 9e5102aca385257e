// BEP44 mutable items on the Mainline DHT (docs/protocol.md): k = public key, seq = timestamp,
// v = DNS packet, sig = the packet's signature, no salt. bittorrent-dht speaks the protocol; the
// process hands us a node of it (Node only), we give it our verifier and read what it returns
// through our codec. Shared: the app's publisher and the server's relay bridge both use it.
import { sha1 } from '@noble/hashes/legacy.js';
import { compareFreshness, verifyPacket, type Ed25519Verifier, type SignedPacket } from '../pkarr';

export interface DhtNodeAddress {
  readonly host: string;
  readonly port: number;
}

interface MutableItem {
  k: Uint8Array;
  seq: number;
  v: Uint8Array;
  sig: Uint8Array;
}

/** The part of a bittorrent-dht node we drive. */
export interface MainlineNode {
  listen(port: number, host: string, callback: () => void): void;
  once(event: 'ready' | 'error', listener: (error?: Error) => void): unknown;
  address(): unknown;
  addNode(node: DhtNodeAddress): void;
  put(
    item: {
      k: Uint8Array;
      seq: number;
      v: Uint8Array;
      sign: (signable: Uint8Array) => Uint8Array;
    },
    callback: (error: Error | null, hash: Uint8Array, nodes: number) => void,
  ): unknown;
  get(
    target: Uint8Array,
    options: { cache?: boolean },
    callback: (error: Error | null, value: MutableItem | null) => void,
  ): void;
  destroy(callback?: () => void): void;
}

export interface MainlineNodeOptions {
  readonly bootstrap: string[] | false;
  readonly host: string | false;
  readonly verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
}

export interface DhtClientOptions {
  readonly verifier: Ed25519Verifier;
  /** Makes the bittorrent-dht node (`(o) => new DHT(o)`); only a Node process has one. */
  readonly createNode: (options: MainlineNodeOptions) => MainlineNode;
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

export class DhtClient {
  private constructor(
    private readonly node: MainlineNode,
    private readonly options: DhtClientOptions,
  ) {}

  static async start(options: DhtClientOptions): Promise<DhtClient> {
    const bootstrap =
      options.bootstrap === false
        ? false
        : options.bootstrap.map((node) =>
            typeof node === 'string' ? node : `${node.host}:${node.port}`,
          );
    const node = options.createNode({
      bootstrap,
      host: options.host ?? false,
      verify: (signature, message, publicKey) =>
        options.verifier.verify(publicKey, message, signature),
    });
    await new Promise<void>((resolve, reject) => {
      node.once('error', reject);
      node.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const client = new DhtClient(node, options);
    if (bootstrap !== false) {
      // Joining can stall forever (no route to any bootstrap node): give up at the deadline.
      await client
        .withTimeout(new Promise<void>((resolve) => node.once('ready', () => resolve())), 'join')
        .catch(async (error: unknown) => {
          await client.destroy();
          throw error;
        });
    }
    return client;
  }

  address(): DhtNodeAddress {
    const address = this.node.address() as { address: string; port: number };
    return { host: address.address, port: address.port };
  }

  addNode(node: DhtNodeAddress): void {
    this.node.addNode(node);
  }

  private withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
    const ms = this.options.timeoutMs ?? 15_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`DHT ${what} timed out after ${ms} ms`)), ms);
    });
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }

  /** Puts the packet; resolves with how many nodes accepted it. */
  put(packet: SignedPacket): Promise<{ nodes: number }> {
    const work = new Promise<{ nodes: number }>((resolve, reject) => {
      this.node.put(
        {
          k: packet.publicKey,
          seq: packet.timestamp,
          v: packet.dns,
          // The packet is signed already: its signature covers exactly BEP44's signable bytes.
          sign: () => packet.signature,
        },
        (error, _hash, nodes) => (error ? reject(error) : resolve({ nodes })),
      );
    });
    return this.withTimeout(work, 'put');
  }

  /** The newest valid packet the DHT holds for the key, or undefined. */
  get(publicKey: Uint8Array): Promise<SignedPacket | undefined> {
    const work = new Promise<SignedPacket | undefined>((resolve, reject) => {
      this.node.get(sha1(publicKey), { cache: false }, (error, value) => {
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
    return new Promise((resolve) => this.node.destroy(() => resolve()));
  }
}

/** The fresher of two packets, either of which may be missing. */
export const fresher = (a: SignedPacket | undefined, b: SignedPacket | undefined) =>
  !a ? b : !b ? a : compareFreshness(a, b) >= 0 ? a : b;
