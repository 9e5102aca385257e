// The reference test vector (pubky/pkarr js/test/signed_packet.js, docs/protocol.md), byte for byte.
import { describe, expect, it } from 'vitest';
import {
  encodeRelayPayload,
  fromHex,
  fromUtf8,
  signableBytes,
  signPacket,
  toHex,
  z32Encode,
  decodeRelayPayload,
} from '../../src-shared/pkarr';
import { nativeVerifier, seedSigner } from '../../src-node/native-ed25519';

const EXPECTED_PAYLOAD =
  'c45d1577e6c0d7fe24d1cd6696776a25628b438ffa10b1419dfdede3c51f8577d8447d44df4523fa43f574d6f13a6543' +
  '3fa828eb280065c271fcdcaef5365c010006076d852b5458000080000000000200000000343870696e78786771733431' +
  '6e346169646964656e773561707170317572666d7a647a7472386a74346162726b646e34333565776f00000100010000' +
  '000000040101010103666f6f343870696e787867717334316e346169646964656e773561707170317572666d7a647a74' +
  '72386a74346162726b646e34333565776f00001000010000001e000403626172';

describe('PKARR reference test vector', () => {
  const signer = seedSigner(new Uint8Array(32));
  const packet = signPacket(
    signer,
    [
      { type: 'A', name: '@', ttl: 0, address: '1.1.1.1' },
      { type: 'TXT', name: 'foo', ttl: 30, strings: ['bar'] },
    ],
    { timestamp: 1697016827303000, compress: false },
  );

  it('derives the reference public key from the all-zero seed', () => {
    expect(z32Encode(signer.publicKey)).toBe(
      '8pinxxgqs41n4aididenw5apqp1urfmzdztr8jt4abrkdn435ewo',
    );
  });

  it('signs the bencoded seq/v fragment', () => {
    const signable = signableBytes(packet.timestamp, packet.dns);
    expect(fromUtf8(signable.subarray(0, 30))).toBe('3:seqi1697016827303000e1:v152:');
    expect(packet.dns).toHaveLength(152);
  });

  it('reproduces the 224-byte relay payload exactly', () => {
    const payload = encodeRelayPayload(packet);
    expect(payload).toHaveLength(224);
    expect(toHex(payload)).toBe(EXPECTED_PAYLOAD);
  });

  it('decodes and verifies the reference payload', () => {
    const decoded = decodeRelayPayload(nativeVerifier, signer.publicKey, fromHex(EXPECTED_PAYLOAD));
    expect(decoded.timestamp).toBe(1697016827303000);
    expect(decoded.records).toEqual(packet.records);
  });
});

describe('the pure-JS verifier for the renderer', () => {
  it('agrees with libsodium on the reference packet and on a tampered one', async () => {
    const { nobleVerifier } = await import('../../src-shared/pkarr/noble-ed25519');
    const signer = seedSigner(new Uint8Array(32));
    const payload = fromHex(EXPECTED_PAYLOAD);
    expect(decodeRelayPayload(nobleVerifier, signer.publicKey, payload).timestamp).toBe(
      1697016827303000,
    );
    const tampered = Uint8Array.from(payload);
    tampered[100] = tampered[100]! ^ 4;
    expect(() => decodeRelayPayload(nobleVerifier, signer.publicKey, tampered)).toThrow(
      expect.objectContaining({ code: 'INVALID_SIGNATURE' }),
    );
  });
});
