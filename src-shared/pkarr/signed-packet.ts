// PKARR SignedPacket: pubkey(32) ‖ sig(64) ‖ timestamp(8, BE µs) ‖ DNS packet. Relays carry it
// without the pubkey (it is in the URL); the signature covers the BEP44 bencode fragment
// `3:seqi<timestamp>e1:v<len>:<dns>`, so the same signature serves relays and the DHT.
import { compareBytes, concatBytes, equalBytes } from './bytes';
import { decodeDnsPacket, encodeDnsPacket } from './dns-wire';
import type { Ed25519Verifier, PacketSigner } from './ed25519';
import { fail } from './errors';
import { validateRecord, type DnsRecord } from './records';
import { PUBLIC_KEY_LENGTH, z32Encode } from './z32';

export const SIGNATURE_LENGTH = 64;
export const MAX_DNS_PACKET = 1000;
export const MIN_RELAY_PAYLOAD = SIGNATURE_LENGTH + 8;
export const MAX_RELAY_PAYLOAD = MIN_RELAY_PAYLOAD + MAX_DNS_PACKET;
/** Clock skew we tolerate before calling a timestamp "from the future". */
export const DEFAULT_MAX_FUTURE_MICROS = 60 * 60 * 1_000_000;

export interface SignedPacket {
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  /** Microseconds since the Unix epoch; also the BEP44 `seq`. */
  readonly timestamp: number;
  readonly dns: Uint8Array;
  readonly records: readonly DnsRecord[];
  /** The relay payload, when signPacket built it (signature and dns are views of it). */
  readonly payload?: Uint8Array;
}

export const nowMicros = (): number => Date.now() * 1000;

const readUint32 = (bytes: Uint8Array, at: number): number =>
  (((bytes[at] as number) << 24) >>> 0) +
  (((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number));

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

/** The zone name of a key; the last one is kept, since a run of packets is usually one key's. */
let lastOrigin: { key: Uint8Array; origin: string } | undefined;
function originOf(publicKey: Uint8Array): string {
  if (lastOrigin && equalBytes(lastOrigin.key, publicKey)) return lastOrigin.origin;
  const origin = z32Encode(publicKey);
  lastOrigin = { key: publicKey.slice(), origin };
  return origin;
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    fail('INVALID_TIMESTAMP', 'timestamp must be a non-negative whole number of microseconds');
  }
}

/** The bytes the signature covers (BEP44 `seq` and `v`, bencoded without the outer dict). */
export function signableBytes(timestamp: number, dns: Uint8Array): Uint8Array {
  return writeSignable(new Uint8Array(SIGNABLE_PREFIX_MAX + dns.length), timestamp, dns);
}

/** `3:seqi` + 16 digits (2^53) + `e1:v` + 4 digits + `:` fits in 32 bytes. */
const SIGNABLE_PREFIX_MAX = 32;

const ASCII = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
const SEQ_OPEN = ASCII('3:seqi');
const SEQ_CLOSE_V = ASCII('e1:v');

/** Decimal digits of a non-negative integer below 2^31, in integer arithmetic. */
function writeSmallDigits(into: Uint8Array, at: number, value: number): number {
  let digits = 1;
  for (let bound = 10; value >= bound && digits < 10; bound *= 10) digits++;
  let rest = value;
  for (let i = digits - 1; i >= 0; i--) {
    into[at + i] = 0x30 + (rest % 10);
    rest = (rest / 10) | 0;
  }
  return at + digits;
}

/**
 * Decimal digits of a safe integer (timestamps reach 16 digits): split at 10^8 so both halves
 * stay in int32 arithmetic, which is several times cheaper than dividing doubles digit by digit.
 */
function writeDigits(into: Uint8Array, at: number, value: number): number {
  if (value < 1e8) return writeSmallDigits(into, at, value);
  const high = Math.floor(value / 1e8);
  let low = value - high * 1e8;
  const end = writeSmallDigits(into, at, high) + 8;
  for (let i = end - 1; i >= end - 8; i--) {
    into[i] = 0x30 + (low % 10);
    low = (low / 10) | 0;
  }
  return end;
}

/** Writes the bencode fragment the signature covers into `into`; returns a view of it. */
function writeSignable(into: Uint8Array, timestamp: number, dns: Uint8Array): Uint8Array {
  checkTimestamp(timestamp);
  into.set(SEQ_OPEN, 0);
  let at = writeDigits(into, SEQ_OPEN.length, timestamp);
  into.set(SEQ_CLOSE_V, at);
  at = writeDigits(into, at + SEQ_CLOSE_V.length, dns.length);
  into[at++] = 0x3a; // ':'
  into.set(dns, at);
  return into.subarray(0, at + dns.length);
}

function checkPublicKey(publicKey: Uint8Array): void {
  if (publicKey.length !== PUBLIC_KEY_LENGTH)
    fail('INVALID_PUBLIC_KEY', 'public key must be 32 bytes');
}

export interface SignOptions {
  readonly timestamp?: number;
  readonly compress?: boolean;
}

/** Validates the records, encodes them under the signer's key and signs the result. */
export function signPacket(
  signer: PacketSigner,
  records: readonly DnsRecord[],
  options: SignOptions = {},
): SignedPacket {
  checkPublicKey(signer.publicKey);
  const origin = originOf(signer.publicKey);
  const canonical = records.map((record) => validateRecord(record, origin));
  // The relay payload is built in place: sig ‖ timestamp ‖ dns, the packet's fields views of it.
  const payload = encodeDnsPacket(canonical, origin, {
    compress: options.compress ?? true,
    reserve: MIN_RELAY_PAYLOAD,
  });
  const dns = payload.subarray(MIN_RELAY_PAYLOAD);
  if (dns.length > MAX_DNS_PACKET) {
    fail(
      'PACKET_TOO_LARGE',
      `records take ${dns.length} bytes; a packet holds at most ${MAX_DNS_PACKET}`,
    );
  }
  const timestamp = options.timestamp ?? nowMicros();
  checkTimestamp(timestamp);
  payload.set(signer.sign(signableBytes(timestamp, dns)), 0);
  writeTimestamp(payload, timestamp);
  return {
    publicKey: signer.publicKey,
    signature: payload.subarray(0, SIGNATURE_LENGTH),
    timestamp,
    dns,
    records: canonical,
    payload,
  };
}

function writeTimestamp(payload: Uint8Array, timestamp: number): void {
  writeUint32(payload, SIGNATURE_LENGTH, Math.floor(timestamp / 0x100000000));
  writeUint32(payload, SIGNATURE_LENGTH + 4, timestamp % 0x100000000);
}

/**
 * What a relay PUT carries: sig ‖ timestamp ‖ dns. A packet this module signed already holds
 * those bytes and gets them back as they are (no copy: signing is on every publish's path), so
 * treat the result as read-only and copy it before changing it.
 */
export function encodeRelayPayload(packet: SignedPacket): Uint8Array {
  if (packet.payload) return packet.payload;
  const out = new Uint8Array(MIN_RELAY_PAYLOAD + packet.dns.length);
  out.set(packet.signature, 0);
  writeTimestamp(out, packet.timestamp);
  out.set(packet.dns, MIN_RELAY_PAYLOAD);
  return out;
}

/** The full SignedPacket bytes: pubkey ‖ sig ‖ timestamp ‖ dns. */
export const encodeSignedPacket = (packet: SignedPacket): Uint8Array =>
  concatBytes(packet.publicKey, encodeRelayPayload(packet));

export interface VerifyOptions {
  /** Current time in µs (for the future-timestamp check); defaults to the clock. */
  readonly now?: number;
  readonly maxFutureMicros?: number;
}

/** Checks a signature over (timestamp, dns) and decodes the records. */
export function verifyPacket(
  verifier: Ed25519Verifier,
  parts: {
    publicKey: Uint8Array;
    signature: Uint8Array;
    timestamp: number;
    dns: Uint8Array;
    /** sig ‖ timestamp ‖ dns when the parts are views of it: kept, so re-sending copies nothing. */
    payload?: Uint8Array;
  },
  options: VerifyOptions = {},
): SignedPacket {
  checkPublicKey(parts.publicKey);
  checkTimestamp(parts.timestamp);
  if (parts.signature.length !== SIGNATURE_LENGTH)
    fail('INVALID_SIGNATURE', 'signature must be 64 bytes');
  if (parts.dns.length > MAX_DNS_PACKET)
    fail('PACKET_TOO_LARGE', `DNS packet over ${MAX_DNS_PACKET} bytes`);
  const limit =
    (options.now ?? nowMicros()) + (options.maxFutureMicros ?? DEFAULT_MAX_FUTURE_MICROS);
  if (parts.timestamp > limit) fail('TIMESTAMP_IN_FUTURE', 'timestamp is too far in the future');
  if (
    !verifier.verify(parts.publicKey, signableBytes(parts.timestamp, parts.dns), parts.signature)
  ) {
    fail('INVALID_SIGNATURE', 'signature does not match the packet and key');
  }
  const { records } = decodeDnsPacket(parts.dns, originOf(parts.publicKey));
  return {
    publicKey: parts.publicKey,
    signature: parts.signature,
    timestamp: parts.timestamp,
    dns: parts.dns,
    records,
    payload: parts.payload,
  };
}

/** Parses and verifies what a relay GET returns (or a PUT carries) for `publicKey`. */
export function decodeRelayPayload(
  verifier: Ed25519Verifier,
  publicKey: Uint8Array,
  payload: Uint8Array,
  options: VerifyOptions = {},
): SignedPacket {
  if (payload.length < MIN_RELAY_PAYLOAD) {
    fail(
      'PAYLOAD_TOO_SHORT',
      `a relay payload is at least ${MIN_RELAY_PAYLOAD} bytes, got ${payload.length}`,
    );
  }
  if (payload.length > MAX_RELAY_PAYLOAD) {
    fail(
      'PAYLOAD_TOO_LARGE',
      `a relay payload is at most ${MAX_RELAY_PAYLOAD} bytes, got ${payload.length}`,
    );
  }
  const high = readUint32(payload, SIGNATURE_LENGTH);
  // Above 2^53 µs (year 2255) a timestamp is no longer a safe JS integer.
  if (high >= 0x200000) fail('INVALID_TIMESTAMP', 'timestamp out of range');
  // No copy: the packet's signature and DNS bytes are views of `payload`, which every caller
  // has just received and never changes (a copy is an off-heap allocation per verify and a
  // measurable share of one).
  return verifyPacket(
    verifier,
    {
      publicKey,
      signature: payload.subarray(0, SIGNATURE_LENGTH),
      timestamp: high * 0x100000000 + readUint32(payload, SIGNATURE_LENGTH + 4),
      dns: payload.subarray(MIN_RELAY_PAYLOAD),
      payload,
    },
    options,
  );
}

/** Parses full SignedPacket bytes (pubkey first). */
export function decodeSignedPacket(
  verifier: Ed25519Verifier,
  bytes: Uint8Array,
  options: VerifyOptions = {},
): SignedPacket {
  if (bytes.length < PUBLIC_KEY_LENGTH) fail('PAYLOAD_TOO_SHORT', 'shorter than a public key');
  return decodeRelayPayload(
    verifier,
    bytes.slice(0, PUBLIC_KEY_LENGTH),
    bytes.subarray(PUBLIC_KEY_LENGTH),
    options,
  );
}

/**
 * Which of two packets for the same key wins: the newer timestamp; on a tie, the larger DNS
 * packet bytes (the order the reference implementation uses). Positive when `a` wins.
 */
export function compareFreshness(a: SignedPacket, b: SignedPacket): number {
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp ? 1 : -1;
  return compareBytes(a.dns, b.dns);
}

export interface SizeReport {
  readonly bytes: number;
  readonly limit: number;
  readonly fits: boolean;
}

/** How many bytes a draft record set will take in a packet, against the 1000-byte limit. */
export function measureRecords(
  records: readonly DnsRecord[],
  publicKey: Uint8Array,
  options: { compress?: boolean } = {},
): SizeReport {
  const origin = z32Encode(publicKey);
  const bytes = encodeDnsPacket(
    records.map((record) => validateRecord(record, origin)),
    origin,
    options,
  ).length;
  return { bytes, limit: MAX_DNS_PACKET, fits: bytes <= MAX_DNS_PACKET };
}

/**
 * The smallest TTL among the packet's records (what relays base Cache-Control on), or
 * `fallback` for a packet without records.
 */
export const minRecordTtl = (packet: SignedPacket, fallback = 300): number =>
  packet.records.reduce(
    (min, record) => Math.min(min, record.ttl),
    packet.records.length ? Infinity : fallback,
  );
