// Bad input is rejected with a typed error code, never accepted and never a bare crash.
import { describe, expect, it } from 'vitest';
import {
  decodeDnsPacket,
  decodeRelayPayload,
  decodeSignedPacket,
  encodeRelayPayload,
  MAX_RELAY_PAYLOAD,
  measureRecords,
  parsePublicKey,
  PkarrError,
  signPacket,
  validateRecord,
  verifyPacket,
  z32Decode,
  z32Encode,
  type DnsRecord,
  type PkarrErrorCode,
} from '../../src-shared/pkarr';
import { nativeVerifier, seedSigner } from '../../src-node/native-ed25519';

const signer = seedSigner(new Uint8Array(32).fill(7));
const other = seedSigner(new Uint8Array(32).fill(8));
const origin = z32Encode(signer.publicKey);
const good = signPacket(signer, [{ type: 'A', name: '@', ttl: 60, address: '192.0.2.1' }]);
const payload = encodeRelayPayload(good);

const mutate = (bytes: Uint8Array, at: number, value: number) => {
  const copy = Uint8Array.from(bytes);
  copy[at] = value;
  return copy;
};
const decode = (bytes: Uint8Array, key = signer.publicKey) =>
  decodeRelayPayload(nativeVerifier, key, bytes);
const record = (r: Record<string, unknown>) => () =>
  validateRecord({ name: '@', ttl: 60, ...r } as unknown as DnsRecord, origin);
/** A DNS packet header with one answer, followed by `rest`. */
const dnsWith = (...rest: number[]) =>
  Uint8Array.from([0, 0, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, ...rest]);
const originLabel = [52, ...new TextEncoder().encode(origin), 0];

const cases: ReadonlyArray<readonly [string, PkarrErrorCode, () => unknown]> = [
  ['z32 with a character outside the alphabet', 'INVALID_Z32', () => z32Decode('abc0')],
  ['z32 with an upper-case-only character', 'INVALID_Z32', () => z32Decode('v')],
  ['z32 with non-zero padding bits', 'INVALID_Z32', () => z32Decode(origin.slice(0, 51) + '9')],
  ['public key of 51 characters', 'INVALID_PUBLIC_KEY', () => parsePublicKey(origin.slice(1))],
  ['public key of 53 characters', 'INVALID_PUBLIC_KEY', () => parsePublicKey(origin + 'y')],
  ['empty public key', 'INVALID_PUBLIC_KEY', () => parsePublicKey('')],
  [
    'public key with a space inside',
    'INVALID_Z32',
    () => parsePublicKey(origin.slice(0, 20) + ' ' + origin.slice(21)),
  ],
  ['payload shorter than 72 bytes', 'PAYLOAD_TOO_SHORT', () => decode(payload.subarray(0, 71))],
  ['empty payload', 'PAYLOAD_TOO_SHORT', () => decode(new Uint8Array())],
  [
    'payload over 1072 bytes',
    'PAYLOAD_TOO_LARGE',
    () => decode(new Uint8Array(MAX_RELAY_PAYLOAD + 1)),
  ],
  [
    'signature with one bit flipped',
    'INVALID_SIGNATURE',
    () => decode(mutate(payload, 0, payload[0]! ^ 1)),
  ],
  [
    'timestamp changed after signing',
    'INVALID_SIGNATURE',
    () => decode(mutate(payload, 71, payload[71]! ^ 1)),
  ],
  [
    'packet verified against another key',
    'INVALID_SIGNATURE',
    () => decode(payload, other.publicKey),
  ],
  [
    'DNS packet truncated by one byte',
    'INVALID_SIGNATURE',
    () => decode(payload.subarray(0, payload.length - 1)),
  ],
  [
    'all-zero signature',
    'INVALID_SIGNATURE',
    () => decode(Uint8Array.from([...new Uint8Array(64), ...payload.subarray(64)])),
  ],
  [
    'public key of 31 bytes',
    'INVALID_PUBLIC_KEY',
    () => decode(payload, signer.publicKey.subarray(1)),
  ],
  [
    'signed packet bytes shorter than a key',
    'PAYLOAD_TOO_SHORT',
    () => decodeSignedPacket(nativeVerifier, new Uint8Array(10)),
  ],
  [
    'timestamp beyond 2^53',
    'INVALID_TIMESTAMP',
    () =>
      decode(
        Uint8Array.from([
          ...payload.subarray(0, 64),
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          0xff,
          ...payload.subarray(72),
        ]),
      ),
  ],
  [
    'timestamp a day in the future',
    'TIMESTAMP_IN_FUTURE',
    () =>
      verifyPacket(
        nativeVerifier,
        signPacket(signer, [], { timestamp: Date.now() * 1000 + 86_400e6 }),
      ),
  ],
  [
    'negative timestamp when signing',
    'INVALID_TIMESTAMP',
    () => signPacket(signer, [], { timestamp: -1 }),
  ],
  [
    'fractional timestamp when signing',
    'INVALID_TIMESTAMP',
    () => signPacket(signer, [], { timestamp: 1.5 }),
  ],
  [
    'records over 1000 bytes',
    'PACKET_TOO_LARGE',
    () =>
      signPacket(
        signer,
        Array.from({ length: 8 }, (_, i) => ({
          type: 'TXT' as const,
          name: `t${i}`,
          ttl: 60,
          strings: ['x'.repeat(200)],
        })),
      ),
  ],
  [
    'DNS packet that is not a response',
    'MALFORMED_DNS',
    () => decodeDnsPacket(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), origin),
  ],
  [
    'DNS header cut short',
    'MALFORMED_DNS',
    () => decodeDnsPacket(Uint8Array.from([0, 0, 0x80]), origin),
  ],
  [
    'answer count larger than the answers present',
    'MALFORMED_DNS',
    () => decodeDnsPacket(dnsWith(), origin),
  ],
  [
    'name pointer pointing forwards',
    'MALFORMED_DNS',
    () => decodeDnsPacket(dnsWith(0xc0, 0x20), origin),
  ],
  [
    'name pointer pointing at itself',
    'MALFORMED_DNS',
    () => decodeDnsPacket(dnsWith(0xc0, 12), origin),
  ],
  [
    'label running past the end',
    'MALFORMED_DNS',
    () => decodeDnsPacket(dnsWith(40, 97, 98), origin),
  ],
  [
    'A record with 3 bytes of data',
    'MALFORMED_DNS',
    () => decodeDnsPacket(dnsWith(...originLabel, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3), origin),
  ],
  [
    'AAAA record with 4 bytes of data',
    'MALFORMED_DNS',
    () =>
      decodeDnsPacket(dnsWith(...originLabel, 0, 28, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4), origin),
  ],
  [
    'record of class CH',
    'MALFORMED_DNS',
    () =>
      decodeDnsPacket(dnsWith(...originLabel, 0, 1, 0, 3, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4), origin),
  ],
  [
    'TXT length byte past its data',
    'MALFORMED_DNS',
    () => decodeDnsPacket(dnsWith(...originLabel, 0, 16, 0, 1, 0, 0, 0, 60, 0, 2, 5, 97), origin),
  ],
  [
    'SVCB parameters out of order',
    'MALFORMED_DNS',
    () =>
      decodeDnsPacket(
        dnsWith(...originLabel, 0, 65, 0, 1, 0, 0, 0, 60, 0, 11, 0, 1, 0, 0, 3, 0, 0, 0, 1, 0, 0),
        origin,
      ),
  ],
  [
    'answer name in another zone',
    'NAME_OUTSIDE_ZONE',
    () =>
      decodeDnsPacket(
        dnsWith(
          7,
          ...new TextEncoder().encode('example'),
          3,
          99,
          111,
          109,
          0,
          0,
          1,
          0,
          1,
          0,
          0,
          0,
          60,
          0,
          4,
          1,
          2,
          3,
          4,
        ),
        origin,
      ),
  ],
  [
    'draft name under another key',
    'NAME_OUTSIDE_ZONE',
    record({ type: 'A', name: `www.${z32Encode(other.publicKey)}`, address: '1.2.3.4' }),
  ],
  [
    'draft name with an illegal character',
    'INVALID_NAME',
    record({ type: 'A', name: 'bad name', address: '1.2.3.4' }),
  ],
  [
    'draft name with a 64-byte label',
    'INVALID_NAME',
    record({ type: 'A', name: 'a'.repeat(64), address: '1.2.3.4' }),
  ],
  ['CNAME target with an empty label', 'INVALID_NAME', record({ type: 'CNAME', target: 'a..b' })],
  ['A record with an IPv6 address', 'INVALID_RECORD', record({ type: 'A', address: '::1' })],
  [
    'A record with an octet over 255',
    'INVALID_RECORD',
    record({ type: 'A', address: '1.2.3.256' }),
  ],
  ['A record with a leading zero', 'INVALID_RECORD', record({ type: 'A', address: '01.2.3.4' })],
  [
    'AAAA record with an IPv4 address',
    'INVALID_RECORD',
    record({ type: 'AAAA', address: '1.2.3.4' }),
  ],
  ['AAAA record with two ::', 'INVALID_RECORD', record({ type: 'AAAA', address: '1::2::3' })],
  ['negative TTL', 'INVALID_RECORD', record({ type: 'A', address: '1.2.3.4', ttl: -1 })],
  ['TTL over 2^31-1', 'INVALID_RECORD', record({ type: 'A', address: '1.2.3.4', ttl: 2 ** 31 })],
  [
    'TXT string over 255 bytes',
    'INVALID_RECORD',
    record({ type: 'TXT', strings: ['x'.repeat(256)] }),
  ],
  ['TXT with no strings', 'INVALID_RECORD', record({ type: 'TXT', strings: [] })],
  [
    'MX preference over 65535',
    'INVALID_RECORD',
    record({ type: 'MX', preference: 70000, exchange: 'mail.example.org' }),
  ],
  [
    'HTTPS alias mode with parameters',
    'INVALID_RECORD',
    record({
      type: 'HTTPS',
      priority: 0,
      target: 'x.example',
      params: [{ key: 1, value: new Uint8Array([1]) }],
    }),
  ],
  [
    'HTTPS parameters not ascending',
    'INVALID_RECORD',
    record({
      type: 'HTTPS',
      priority: 1,
      target: '.',
      params: [
        { key: 3, value: new Uint8Array() },
        { key: 1, value: new Uint8Array() },
      ],
    }),
  ],
  ['record of an unsupported type', 'INVALID_RECORD', record({ type: 'SRV' })],
  [
    'size meter on an invalid draft',
    'INVALID_RECORD',
    () => measureRecords([{ type: 'A', name: '@', ttl: 1, address: 'nope' }], signer.publicKey),
  ],
];

describe('malformed input is rejected with a typed error', () => {
  it.each(cases)('%s → %s', (_label, code, attempt) => {
    let thrown: unknown;
    try {
      attempt();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PkarrError);
    expect((thrown as PkarrError).code).toBe(code);
  });
});
