// Pubky AuthTokens both ways with the official client: a token its Signer makes in a real
// pubkyauth flow (over a loopback HTTP relay) passes our verifier, and a token we sign passes
// `AuthToken.verify` and round-trips through it byte for byte. Malformed tokens fail typed.
import { AuthToken } from '@synonymdev/pubky';
import { afterAll, describe, expect, it } from 'vitest';
import { z32Encode } from '../../src-shared/pkarr';
import {
  AuthTokenError,
  signAuthToken,
  verifyAuthToken,
  type AuthTokenErrorCode,
} from '../../src-shared/pubky/auth-token';
import { nativeVerifier, randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { HttpRelay, officialAuthToken } from '../support/http-relay';

const relay = await HttpRelay.start();
afterAll(() => relay.close());

const codeOf = (run: () => unknown): AuthTokenErrorCode | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof AuthTokenError) return error.code;
    throw error;
  }
  return undefined;
};

describe('Pubky AuthToken', () => {
  it('a token from the official auth flow passes our verifier with its key and capabilities', async () => {
    for (const capabilities of ['', '/pub/pubky-domains/:rw'] as const) {
      const { bytes, z32 } = await officialAuthToken(relay, capabilities);
      const token = verifyAuthToken(nativeVerifier, bytes);
      expect(z32Encode(token.publicKey)).toBe(z32);
      expect(token.capabilities).toBe(capabilities);
      expect(Math.abs(token.timestamp - Date.now() * 1000)).toBeLessThan(5_000_000);
    }
  });

  it('a token we sign passes AuthToken.verify and round-trips byte for byte', () => {
    const signer = seedSigner(randomSeed());
    const ours = signAuthToken(signer, { capabilities: '/pub/pubky-domains/:rw' });
    const theirs = AuthToken.verify(ours);
    expect(theirs.publicKey.z32()).toBe(z32Encode(signer.publicKey));
    expect(theirs.capabilities).toEqual(['/pub/pubky-domains/:rw']);
    expect(Buffer.from(theirs.toBytes()).equals(Buffer.from(ours))).toBe(true);
    const long = signAuthToken(signer, { capabilities: `/pub/${'a'.repeat(200)}/:r` });
    expect(Buffer.from(AuthToken.verify(long).toBytes()).equals(Buffer.from(long))).toBe(true);
  });

  it('refuses malformed, stale, future and forged tokens with typed codes', () => {
    const signer = seedSigner(randomSeed());
    const now = Date.now() * 1000;
    const good = signAuthToken(signer, { capabilities: '/pub/x/:r', timestamp: now });
    const withByte = (at: number, value: number) => {
      const copy = good.slice();
      copy[at] = value;
      return copy;
    };
    const cases: [string, Uint8Array, AuthTokenErrorCode][] = [
      ['empty', new Uint8Array(0), 'TRUNCATED'],
      ['header only', good.subarray(0, 115), 'TRUNCATED'],
      ['capabilities cut short', good.subarray(0, good.length - 1), 'TRUNCATED'],
      ['a byte too many', new Uint8Array([...good, 0]), 'TRAILING_BYTES'],
      ['namespace changed', withByte(64, 'Q'.charCodeAt(0)), 'BAD_NAMESPACE'],
      ['version 1', withByte(74, 1), 'UNKNOWN_VERSION'],
      ['signature flipped', withByte(3, good[3]! ^ 1), 'INVALID_SIGNATURE'],
      ['key flipped', withByte(90, good[90]! ^ 1), 'INVALID_SIGNATURE'],
      [
        'capability flipped',
        withByte(good.length - 1, good[good.length - 1]! ^ 1),
        'INVALID_SIGNATURE',
      ],
      ['timestamp flipped', withByte(82, good[82]! ^ 1), 'INVALID_SIGNATURE'],
      ['46 s old', signAuthToken(signer, { timestamp: now - 46_000_000 }), 'EXPIRED'],
      [
        '46 s ahead',
        signAuthToken(signer, { timestamp: now + 46_000_000 }),
        'TOO_FAR_IN_THE_FUTURE',
      ],
      [
        'capabilities not UTF-8',
        (() => {
          const bad = good.slice(0, 116);
          return new Uint8Array([...bad.subarray(0, 115), 1, 0xff]);
        })(),
        'BAD_CAPABILITIES',
      ],
      [
        'capabilities length overflows',
        new Uint8Array([...good.subarray(0, 115), 0xff, 0xff, 0xff, 0xff, 0x0f]),
        'BAD_CAPABILITIES',
      ],
    ];
    for (const [what, bytes, code] of cases) {
      expect(
        codeOf(() => verifyAuthToken(nativeVerifier, bytes)),
        what,
      ).toBe(code);
    }
    expect(codeOf(() => verifyAuthToken(nativeVerifier, good))).toBeUndefined();
  });
});
