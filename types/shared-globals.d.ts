// The few globals that exist identically in Node >= 20, Electron and every browser we support.
// src-shared may rely on these and nothing else from its host.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
