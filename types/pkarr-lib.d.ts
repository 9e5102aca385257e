// pkarr ships types for its index only; tests also start its relay over its DHT wrapper.
declare module 'pkarr/lib/dht.js' {
  export class DHT {
    constructor(options: { bootstrap?: string[]; storageLocation?: string });
    destroy(): Promise<void>;
  }
  export default DHT;
}

declare module 'pkarr/lib/relay.js' {
  import type { DHT } from 'pkarr/lib/dht.js';
  export default class Relay {
    static start(options: { dht: DHT; port?: number }): Promise<Relay>;
    readonly address: string;
    readonly port: number;
    close(): Promise<void>;
  }
}
