// Interop with the protocol author's JS implementation (the `pkarr` npm package): packets we sign
// are accepted by its decoder and verifier, and its packets by ours.
import { Pkarr, SignedPacket as PkarrSignedPacket } from 'pkarr';
import { describe, expect, it } from 'vitest';
import {
  decodeRelayPayload,
  encodeRelayPayload,
  signPacket,
  type DnsRecord,
} from '../../src-shared/pkarr';
import { nativeVerifier, randomSeed, seedSigner } from '../../src-node/native-ed25519';

const records: DnsRecord[] = [
  { type: 'A', name: '@', ttl: 300, address: '192.0.2.10' },
  { type: 'AAAA', name: 'www', ttl: 300, address: '2001:db8::1' },
  { type: 'CNAME', name: 'blog', ttl: 600, target: 'example.org' },
  { type: 'TXT', name: '_dmarc', ttl: 3600, strings: ['v=DMARC1; p=none'] },
  { type: 'MX', name: '@', ttl: 3600, preference: 10, exchange: 'mail.example.org' },
  { type: 'NS', name: 'sub', ttl: 3600, target: 'ns1.example.org' },
];

describe('interop with the pkarr npm package', () => {
  for (const compress of [true, false]) {
    it(`pkarr accepts a packet we signed (${compress ? 'compressed' : 'uncompressed'} names)`, () => {
      const signer = seedSigner(randomSeed());
      const ours = signPacket(signer, records, { compress });
      const theirs = PkarrSignedPacket.fromBytes(signer.publicKey, encodeRelayPayload(ours));
      expect(theirs.timestamp()).toBe(ours.timestamp);
      const answers = theirs.packet().answers ?? [];
      expect(answers.map((a) => a.type)).toEqual(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS']);
      expect(answers[0]).toMatchObject({ data: '192.0.2.10', ttl: 300 });
      expect(answers[1]).toMatchObject({ data: '2001:db8::1' });
      expect(answers[2]).toMatchObject({ data: 'example.org' });
      expect(answers[4]).toMatchObject({ data: { preference: 10, exchange: 'mail.example.org' } });
    });
  }

  it('we accept a packet pkarr signed, with the same records', () => {
    const keypair = Pkarr.generateKeyPair();
    const theirs = PkarrSignedPacket.fromPacket(keypair, {
      id: 0,
      type: 'response',
      flags: 0,
      answers: [
        { name: '@', type: 'A', ttl: 30, class: 'IN', data: '10.0.0.1' },
        { name: 'api', type: 'AAAA', ttl: 60, class: 'IN', data: 'fe80::1' },
        { name: 'text', type: 'TXT', ttl: 90, class: 'IN', data: ['hello', 'world'] },
        { name: 'alias', type: 'CNAME', ttl: 90, class: 'IN', data: 'example.com' },
      ],
    });
    const ours = decodeRelayPayload(nativeVerifier, keypair.publicKey, theirs.bytes());
    expect(ours.timestamp).toBe(theirs.timestamp());
    expect(ours.records).toEqual([
      { name: '@', ttl: 30, type: 'A', address: '10.0.0.1' },
      { name: 'api', ttl: 60, type: 'AAAA', address: 'fe80::1' },
      { name: 'text', ttl: 90, type: 'TXT', strings: ['hello', 'world'] },
      { name: 'alias', ttl: 90, type: 'CNAME', target: 'example.com' },
    ]);
  });

  it('a pkarr packet whose bytes were altered fails our verification', () => {
    const keypair = Pkarr.generateKeyPair();
    const theirs = PkarrSignedPacket.fromPacket(keypair, {
      id: 0,
      type: 'response',
      answers: [{ name: '@', type: 'A', ttl: 30, class: 'IN', data: '10.0.0.1' }],
    });
    const bytes = Uint8Array.from(theirs.bytes());
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 1;
    expect(() => decodeRelayPayload(nativeVerifier, keypair.publicKey, bytes)).toThrow(
      expect.objectContaining({ code: 'INVALID_SIGNATURE' }),
    );
  });
});
