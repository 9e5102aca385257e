// Pubky AuthTokens (docs/protocol.md; pubky-core v0.6.0), the official way a Pubky key proves itself
// to a server: `sig(64) ‖ "PUBKY:AUTH"(10) ‖ version(1) = 0 ‖ timestamp(8, BE µs) ‖ pubkey(32) ‖
// capabilities` (a postcard string: LEB128 length, UTF-8). The signature covers byte 65 onward —
// the reference skips the namespace's first byte, and so must we to interoperate.
import type { Ed25519Verifier, PacketSigner } from '../pkarr';

export type AuthTokenErrorCode =
  | 'TRUNCATED'
  | 'BAD_NAMESPACE'
  | 'UNKNOWN_VERSION'
  | 'BAD_CAPABILITIES'
  | 'TRAILING_BYTES'
  | 'EXPIRED'
  | 'TOO_FAR_IN_THE_FUTURE'
  | 'INVALID_SIGNATURE';

export class AuthTokenError extends Error {
  override name = 'AuthTokenError';
  constructor(
    readonly code: AuthTokenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface AuthToken {
  readonly publicKey: Uint8Array;
  /** Microseconds since the Unix epoch. */
  readonly timestamp: number;
  /** As signed, e.g. `/pub/pubky.app/:rw`; empty for sign-in only. */
  readonly capabilities: string;
  /** What a server remembers to refuse a replay: timestamp ‖ public key (pubky-core's id). */
  readonly id: Uint8Array;
}

const NAMESPACE = new TextEncoder().encode('PUBKY:AUTH');
const SIGNED_FROM = 65;
const HEADER = 64 + NAMESPACE.length + 1 + 8 + 32;
/** pubky-core accepts tokens up to 45 s either side of its clock. */
export const AUTH_TOKEN_WINDOW_MICROS = 45_000_000;
const MAX_CAPABILITIES = 4096;

function lebLength(length: number): number[] {
  const out: number[] = [];
  let rest = length;
  do {
    const byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? byte | 0x80 : byte);
  } while (rest > 0);
  return out;
}

function writeTimestamp(into: Uint8Array, at: number, micros: number): void {
  let rest = micros;
  for (let i = 7; i >= 0; i--) {
    into[at + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

function readTimestamp(from: Uint8Array, at: number): number {
  let value = 0;
  for (let i = 0; i < 8; i++) value = value * 256 + from[at + i]!;
  return value;
}

const nowMicros = () => Date.now() * 1000;

/** Signs a version-0 token for `signer` with the given capabilities. */
export function signAuthToken(
  signer: PacketSigner,
  options: { capabilities?: string; timestamp?: number } = {},
): Uint8Array {
  const capabilities = new TextEncoder().encode(options.capabilities ?? '');
  const length = lebLength(capabilities.length);
  const token = new Uint8Array(HEADER + length.length + capabilities.length);
  token.set(NAMESPACE, 64);
  token[74] = 0;
  writeTimestamp(token, 75, options.timestamp ?? nowMicros());
  token.set(signer.publicKey, 83);
  token.set(length, HEADER);
  token.set(capabilities, HEADER + length.length);
  token.set(signer.sign(token.subarray(SIGNED_FROM)), 0);
  return token;
}

const fail = (code: AuthTokenErrorCode, message: string): never => {
  throw new AuthTokenError(code, message);
};

/** Parses and verifies a token: shape, version, ±45 s freshness, signature. Replays are the caller's. */
export function verifyAuthToken(
  verifier: Ed25519Verifier,
  token: Uint8Array,
  options: { now?: number; windowMicros?: number } = {},
): AuthToken {
  if (token.length < HEADER + 1) fail('TRUNCATED', `an AuthToken has at least ${HEADER + 1} bytes`);
  for (let i = 0; i < NAMESPACE.length; i++) {
    if (token[64 + i] !== NAMESPACE[i]) fail('BAD_NAMESPACE', 'not a PUBKY:AUTH token');
  }
  if (token[74] !== 0) fail('UNKNOWN_VERSION', `AuthToken version ${token[74]} is not supported`);
  let length = 0;
  let at = HEADER;
  for (let shift = 1; ; shift *= 128) {
    if (at >= token.length || shift > 128 ** 2) fail('BAD_CAPABILITIES', 'capabilities length');
    const byte = token[at++]!;
    length += (byte & 0x7f) * shift;
    if ((byte & 0x80) === 0) break;
  }
  if (length > MAX_CAPABILITIES) fail('BAD_CAPABILITIES', 'capabilities are too long');
  if (at + length > token.length) fail('TRUNCATED', 'capabilities run past the end');
  if (at + length < token.length) fail('TRAILING_BYTES', 'bytes after the capabilities');
  let capabilities = '';
  try {
    capabilities = new TextDecoder('utf-8', { fatal: true }).decode(token.subarray(at));
  } catch {
    fail('BAD_CAPABILITIES', 'capabilities are not UTF-8');
  }
  const timestamp = readTimestamp(token, 75);
  const window = options.windowMicros ?? AUTH_TOKEN_WINDOW_MICROS;
  const drift = timestamp - (options.now ?? nowMicros());
  if (drift > window) fail('TOO_FAR_IN_THE_FUTURE', 'the token is from more than 45 s ahead');
  if (drift < -window) fail('EXPIRED', 'the token is more than 45 s old');
  const publicKey = token.slice(83, 115);
  if (!verifier.verify(publicKey, token.subarray(SIGNED_FROM), token.subarray(0, 64)))
    fail('INVALID_SIGNATURE', 'the signature does not match the key');
  return { publicKey, timestamp, capabilities, id: token.slice(75, 115) };
}
