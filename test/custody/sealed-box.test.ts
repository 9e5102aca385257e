// Sealing to a Pubky key (issue 20's key sharing, issue 22's guardian shares): only the key's
// holder opens a blob, for the purpose it was sealed for; a changed byte, another key or another
// purpose opens nothing. libsodium, a third party, derives the same X25519 keys and opens our
// blobs from the format alone.
import { hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import { keypairFromSeed, randomSeed } from '../../src-node/native-ed25519';
import { MAX_SEALED_PLAINTEXT, open, seal, SealError } from '../../src-shared/crypto/sealed-box';
import { parsePublicKey } from '../../src-shared/pkarr';
import { freshLocalApp } from '../support/local';

const app = freshLocalApp();

function fails(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SealError);
    return (error as SealError).code;
  }
  throw new Error('expected a SealError');
}

describe('sealed box', () => {
  it('opens in the vault of the key it was sealed to, for its purpose only', () => {
    const { publicKey } = app.vault.create('family');
    const secret = new TextEncoder().encode('a domain key, say');
    const blob = seal(secret, parsePublicKey(publicKey), 'domain-key:abc');
    expect(app.vault.openSealed(publicKey, blob, 'domain-key:abc')).toEqual(secret);
    expect(fails(() => app.vault.openSealed(publicKey, blob, 'guardian-share:abc'))).toBe(
      'NOT_FOR_THIS_KEY',
    );
    const other = app.vault.create('other').publicKey;
    expect(fails(() => app.vault.openSealed(other, blob, 'domain-key:abc'))).toBe(
      'NOT_FOR_THIS_KEY',
    );
    // Two seals of the same bytes share nothing (fresh ephemeral key and nonce).
    const again = seal(secret, parsePublicKey(publicKey), 'domain-key:abc');
    expect(Buffer.from(again.subarray(1, 57)).equals(Buffer.from(blob.subarray(1, 57)))).toBe(
      false,
    );
  });

  it('any changed, missing or added byte opens nothing', () => {
    const seed = randomSeed();
    const { publicKey } = keypairFromSeed(seed);
    const blob = seal(new Uint8Array(64).fill(7), publicKey, 'x');
    for (let i = 0; i < blob.length; i++) {
      const changed = blob.slice();
      changed[i] = changed[i]! ^ 0x01;
      expect(['DAMAGED', 'NOT_FOR_THIS_KEY']).toContain(fails(() => open(changed, seed, 'x')));
    }
    expect(fails(() => open(blob.subarray(0, 60), seed, 'x'))).toBe('DAMAGED');
    expect(fails(() => open(new Uint8Array([...blob, 0]), seed, 'x'))).toBe('NOT_FOR_THIS_KEY');
    expect(fails(() => seal(new Uint8Array(MAX_SEALED_PLAINTEXT + 1), publicKey, 'x'))).toBe(
      'TOO_LARGE',
    );
  });

  it('round-trips any plaintext up to the limit', () => {
    const seed = randomSeed();
    const { publicKey } = keypairFromSeed(seed);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: MAX_SEALED_PLAINTEXT }),
        fc.string(),
        (bytes, context) => {
          expect(open(seal(bytes, publicKey, context), seed, context)).toEqual(bytes);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('libsodium maps the keys as we do and opens the blob from the format alone', () => {
    const seed = randomSeed();
    const publicKey = Buffer.alloc(32);
    const secretKey = Buffer.alloc(64);
    sodium.crypto_sign_seed_keypair(publicKey, secretKey, Buffer.from(seed));
    const xPublic = Buffer.alloc(32);
    const xSecret = Buffer.alloc(32);
    sodium.crypto_sign_ed25519_pk_to_curve25519(xPublic, publicKey);
    sodium.crypto_sign_ed25519_sk_to_curve25519(xSecret, secretKey);

    const context = 'domain-key:interop';
    const plaintext = Buffer.from('sealed by us, opened by libsodium');
    const blob = Buffer.from(seal(plaintext, new Uint8Array(publicKey), context));
    expect(blob[0]).toBe(1);
    const ephemeral = blob.subarray(1, 33);
    const nonce = blob.subarray(33, 57);
    const shared = Buffer.alloc(32);
    sodium.crypto_scalarmult(shared, xSecret, ephemeral);
    const key = Buffer.from(
      hkdfSync(
        'sha256',
        shared,
        Buffer.concat([ephemeral, xPublic]),
        `pubky-domains sealed v1 ${context}`,
        32,
      ),
    );
    const opened = Buffer.alloc(blob.length - 57 - 16);
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      opened,
      null,
      blob.subarray(57),
      Buffer.from(context),
      nonce,
      key,
    );
    expect(opened.equals(plaintext)).toBe(true);
  });
});
