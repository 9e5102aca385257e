// Properties of the codec over generated record sets: what we encode decodes to the same records
// (compressed or not), and no single flipped bit of a signed payload survives verification.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeRelayPayload,
  encodeRelayPayload,
  ipv6Text,
  MAX_DNS_PACKET,
  measureRecords,
  PkarrError,
  signPacket,
  type DnsRecord,
} from '../../src-shared/pkarr';
import { nativeVerifier, seedSigner } from '../../src-node/native-ed25519';

const label = fc.stringMatching(/^[a-z0-9_](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const relativeName = fc.oneof(
  fc.constant('@'),
  fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.')),
);
const hostName = fc
  .array(label, { minLength: 1, maxLength: 3 })
  .map((l) => [...l, 'example'].join('.'));
const ttl = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(ipv6Text);

const record: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.record({ type: fc.constant('A' as const), name: relativeName, ttl, address: ipv4 }),
  fc.record({ type: fc.constant('AAAA' as const), name: relativeName, ttl, address: ipv6 }),
  fc.record({ type: fc.constant('CNAME' as const), name: relativeName, ttl, target: hostName }),
  fc.record({ type: fc.constant('NS' as const), name: relativeName, ttl, target: hostName }),
  fc.record({
    type: fc.constant('TXT' as const),
    name: relativeName,
    ttl,
    strings: fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('MX' as const),
    name: relativeName,
    ttl,
    preference: fc.nat(0xffff),
    exchange: hostName,
  }),
  fc.record({
    type: fc.constantFrom('HTTPS' as const, 'SVCB' as const),
    name: relativeName,
    ttl,
    priority: fc.integer({ min: 1, max: 0xffff }),
    target: fc.oneof(fc.constant('.'), hostName),
    params: fc
      .uniqueArray(fc.nat(0xffff), { maxLength: 3 })
      .chain((keys) =>
        fc.tuple(
          ...keys
            .sort((a, b) => a - b)
            .map((key) =>
              fc.record({ key: fc.constant(key), value: fc.uint8Array({ maxLength: 8 }) }),
            ),
        ),
      ),
  }),
);

const signer = seedSigner(new Uint8Array(32).fill(3));
const fitting = fc
  .array(record, { maxLength: 8 })
  .filter((records) => measureRecords(records, signer.publicKey).fits);

describe('codec properties', () => {
  it('decode(encode(records)) returns the records, compressed or not', () => {
    fc.assert(
      fc.property(fitting, fc.boolean(), (records, compress) => {
        const bytesNeeded = measureRecords(records, signer.publicKey, { compress }).bytes;
        fc.pre(bytesNeeded <= MAX_DNS_PACKET);
        const packet = signPacket(signer, records, { compress, timestamp: 1_700_000_000_000_000 });
        const decoded = decodeRelayPayload(
          nativeVerifier,
          signer.publicKey,
          encodeRelayPayload(packet),
        );
        expect(decoded.records).toEqual(packet.records);
        expect(decoded.timestamp).toBe(packet.timestamp);
      }),
      { numRuns: 300 },
    );
  });

  it('flipping any single bit of a signed payload fails verification', () => {
    fc.assert(
      fc.property(
        fitting.map((records) => encodeRelayPayload(signPacket(signer, records))),
        fc.nat(),
        fc.nat(7),
        (payload, at, bit) => {
          const tampered = Uint8Array.from(payload);
          const index = at % tampered.length;
          tampered[index] = tampered[index]! ^ (1 << bit);
          let error: unknown;
          try {
            decodeRelayPayload(nativeVerifier, signer.publicKey, tampered);
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(PkarrError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('packets signed back to back never share bytes', () => {
    // Signed payloads are cut from shared slabs: thousands of them, kept alive together, must each
    // still verify and hold their own records.
    const packets = Array.from({ length: 3000 }, (_, i) =>
      signPacket(signer, [{ type: 'TXT', name: `n${i}`, ttl: i, strings: ['x'.repeat(i % 200)] }]),
    );
    for (const [i, packet] of packets.entries()) {
      const decoded = decodeRelayPayload(
        nativeVerifier,
        signer.publicKey,
        encodeRelayPayload(packet),
      );
      expect(decoded.records).toEqual([
        { type: 'TXT', name: `n${i}`, ttl: i, strings: ['x'.repeat(i % 200)] },
      ]);
    }
    expect(new Set(packets.map((p) => p.payload!.buffer)).size).toBeGreaterThan(1);
  });
});
