// The part of bittorrent-dht's API we use (the package ships no types).
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';

  interface DhtOptions {
    bootstrap?: string[] | false;
    host?: string | false;
    verify?: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
  }

  export default class DHT extends EventEmitter {
    constructor(options?: DhtOptions);
    listen(port: number, host: string, callback: () => void): void;
    address(): { address: string; family: string; port: number };
    addNode(node: { host: string; port: number }): void;
    put(
      options: {
        k: Uint8Array;
        seq: number;
        v: Uint8Array;
        sig?: Buffer;
        sign?: (signable: Uint8Array) => Uint8Array;
        cas?: number;
      },
      callback: (error: Error | null, hash: Uint8Array, nodes: number) => void,
    ): Buffer;
    get(
      target: Uint8Array,
      options: { cache?: boolean },
      callback: (
        error: Error | null,
        value: { k: Buffer; seq: number; v: Buffer; sig: Buffer } | null,
      ) => void,
    ): void;
    destroy(callback?: () => void): void;
  }
}
