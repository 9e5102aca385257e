// The codec hands out bytes the caller owns (issue 18): no packet shares memory with another, and
// what a signer or verifier is given stays as it was after later calls, so no caller has to copy.
import { describe, expect, it } from 'vitest';
import {
  decodeRelayPayload,
  encodeRelayPayload,
  signPacket,
  type DnsRecord,
  type Ed25519Verifier,
  type PacketSigner,
} from '../../src-shared/pkarr';
import { nativeVerifier, seedSigner } from '../../src-node/native-ed25519';

const records = (address: string): DnsRecord[] => [
  { type: 'A', name: '@', ttl: 300, address },
  { type: 'TXT', name: '_note', ttl: 300, strings: [address.repeat(3)] },
];

describe('the codec owns nothing it returns', () => {
  it('each signed packet has memory of its own', () => {
    const signer = seedSigner(new Uint8Array(32).fill(7));
    const a = signPacket(signer, records('192.0.2.1'), { timestamp: 1 });
    const b = signPacket(signer, records('192.0.2.2'), { timestamp: 2 });
    expect(a.payload!.buffer).not.toBe(b.payload!.buffer);
    const before = a.payload!.slice();
    for (let i = 0; i < 200; i++) signPacket(signer, records(`198.51.100.${i}`), { timestamp: i });
    expect(a.payload).toEqual(before);
    expect(encodeRelayPayload(a)).toEqual(before);
  });

  it('messages given to a signer and a verifier keep their bytes after later calls', () => {
    const seen: Uint8Array[] = [];
    const inner = seedSigner(new Uint8Array(32).fill(9));
    const signer: PacketSigner = {
      publicKey: inner.publicKey,
      sign: (message) => {
        seen.push(message);
        return inner.sign(message);
      },
    };
    const first = signPacket(signer, records('192.0.2.1'), { timestamp: 10 });
    const kept = seen[0]!.slice();
    const second = signPacket(signer, records('203.0.113.9'), { timestamp: 11 });
    expect(seen[0]).toEqual(kept);
    const verified: Uint8Array[] = [];
    const verifier: Ed25519Verifier = {
      verify: (publicKey, message, signature) => {
        verified.push(message);
        return nativeVerifier.verify(publicKey, message, signature);
      },
    };
    decodeRelayPayload(verifier, first.publicKey, encodeRelayPayload(first));
    decodeRelayPayload(verifier, second.publicKey, encodeRelayPayload(second));
    expect(verified[0]).toEqual(kept);
    expect(verified[1]).toEqual(seen[1]);
  });
});
