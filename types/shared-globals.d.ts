// The few globals that exist identically in Node >= 20, Electron and every browser we support.
// src-shared may rely on these and nothing else from its host.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}

// Timers and fetch: the relay and DHT clients need a deadline and HTTP, nothing more.
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
interface AbortSignal {
  readonly aborted: boolean;
}
declare const AbortSignal: { timeout(ms: number): AbortSignal };
interface FetchResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}
declare function fetch(
  url: string,
  init?: {
    method?: string;
    body?: Uint8Array;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  },
): Promise<FetchResponse>;

// WHATWG URL (the same parser in Node, Electron and browsers): origins are compared as it reads them.
declare class URL {
  constructor(input: string, base?: string);
  readonly origin: string;
  readonly host: string;
  readonly protocol: string;
  readonly pathname: string;
  readonly username: string;
  readonly password: string;
  readonly search: string;
  readonly hash: string;
}
