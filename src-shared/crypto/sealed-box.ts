// Sealing bytes to a Pubky key, so that only the holder of that key's secret can open them: a
// domain key shared between a family's devices (issue 20), a guardian's share (issue 22). The
// server relays sealed blobs it cannot open.
//
// X25519 with a fresh ephemeral key against the recipient's ed25519 key mapped to Montgomery form
// (the birational map libsodium's crypto_sign_ed25519_pk_to_curve25519 implements), HKDF-SHA256
// over the shared secret and both public keys, then XChaCha20-Poly1305 with a random 24-byte
// nonce. The context (what the blob is, e.g. "domain-key:<z32>") is bound as associated data and
// into the key, so a blob sealed for one purpose never opens as another (docs/protocol.md).
//
//   blob = 0x01 ‖ ephemeral X25519 public key (32) ‖ nonce (24) ‖ ciphertext ‖ tag (16)
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { concatBytes, utf8 } from '../pkarr/bytes';

const VERSION = 1;
const HEADER = 1 + 32 + 24;
const TAG = 16;
/** Sealed blobs stay small: keys and shares, never bulk data. */
export const MAX_SEALED_PLAINTEXT = 4096;
/** What sealing adds to a plaintext: the header and the tag (73 bytes). */
export const SEALED_OVERHEAD = HEADER + TAG;
/** The largest blob `seal` makes. */
export const MAX_SEALED_BLOB = MAX_SEALED_PLAINTEXT + SEALED_OVERHEAD;

export type SealErrorCode = 'DAMAGED' | 'NOT_FOR_THIS_KEY' | 'TOO_LARGE' | 'INVALID_KEY';

export class SealError extends Error {
  override name = 'SealError';
  constructor(
    readonly code: SealErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function sealingKey(
  shared: Uint8Array,
  ephemeral: Uint8Array,
  recipient: Uint8Array,
  context: string,
): Uint8Array {
  return hkdf(
    sha256,
    shared,
    concatBytes(ephemeral, recipient),
    utf8(`pubky-domains sealed v1 ${context}`),
    32,
  );
}

/** The X25519 public key of an ed25519 public key. */
function montgomeryOf(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new SealError('INVALID_KEY', 'a Pubky public key is 32 bytes');
  try {
    return ed25519.utils.toMontgomery(publicKey);
  } catch {
    throw new SealError('INVALID_KEY', 'not a valid Pubky public key');
  }
}

/** Seals `plaintext` so that only the holder of `recipient`'s secret opens it, for `context`. */
export function seal(plaintext: Uint8Array, recipient: Uint8Array, context: string): Uint8Array {
  if (plaintext.length > MAX_SEALED_PLAINTEXT)
    throw new SealError('TOO_LARGE', `at most ${MAX_SEALED_PLAINTEXT} bytes can be sealed`);
  const recipientX = montgomeryOf(recipient);
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeral = x25519.getPublicKey(ephemeralSecret);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(ephemeralSecret, recipientX);
  } catch {
    // A low-order point gives an all-zero secret, which noble refuses.
    throw new SealError('INVALID_KEY', 'this key cannot receive sealed data');
  } finally {
    ephemeralSecret.fill(0);
  }
  const key = sealingKey(shared, ephemeral, recipientX, context);
  shared.fill(0);
  const nonce = randomBytes(24);
  const sealed = xchacha20poly1305(key, nonce, utf8(context)).encrypt(plaintext);
  key.fill(0);
  return concatBytes(Uint8Array.of(VERSION), ephemeral, nonce, sealed);
}

/**
 * Opens a blob sealed to the ed25519 key whose 32-byte seed is `recipientSeed` (main's vault
 * calls this; the seed never leaves main). Throws DAMAGED or NOT_FOR_THIS_KEY, never partial data.
 */
export function open(blob: Uint8Array, recipientSeed: Uint8Array, context: string): Uint8Array {
  if (blob.length < HEADER + TAG || blob[0] !== VERSION)
    throw new SealError('DAMAGED', 'this is not a sealed blob this app can read');
  if (blob.length > HEADER + TAG + MAX_SEALED_PLAINTEXT)
    throw new SealError('TOO_LARGE', 'sealed blob too large');
  const ephemeral = blob.subarray(1, 33);
  const nonce = blob.subarray(33, HEADER);
  const secret = ed25519.utils.toMontgomerySecret(recipientSeed);
  try {
    const recipientX = x25519.getPublicKey(secret);
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(secret, ephemeral);
    } catch {
      throw new SealError('DAMAGED', 'the sealed blob carries an invalid key');
    }
    const key = sealingKey(shared, ephemeral, recipientX, context);
    shared.fill(0);
    try {
      return xchacha20poly1305(key, nonce, utf8(context)).decrypt(blob.subarray(HEADER));
    } catch {
      throw new SealError(
        'NOT_FOR_THIS_KEY',
        'this blob was not sealed to this key for this purpose, or it was changed on the way',
      );
    } finally {
      key.fill(0);
    }
  } finally {
    secret.fill(0);
  }
}
