// ed25519 on libsodium (sodium-native): what main and the server sign and verify with, about
// 20x faster than pure JS (docs/performance.md). Secret keys passed here are wiped by the caller.
import sodium from 'sodium-native';
import type { Ed25519Verifier, PacketSigner } from '../src-shared/pkarr';

/**
 * sodium-native's types ask for Buffers but it takes any Uint8Array (the tests run it so): a
 * cast, because wrapping every argument in a Buffer view costs a measurable share of a verify.
 */
const view = (bytes: Uint8Array): Buffer => bytes as Buffer;

export const nativeVerifier: Ed25519Verifier = {
  verify: (publicKey, message, signature) =>
    publicKey.length === sodium.crypto_sign_PUBLICKEYBYTES &&
    signature.length === sodium.crypto_sign_BYTES &&
    sodium.crypto_sign_verify_detached(view(signature), view(message), view(publicKey)),
};

/** Expands a 32-byte seed into libsodium's 64-byte secret key and the public key. */
export function keypairFromSeed(seed: Uint8Array): {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
} {
  const publicKey = new Uint8Array(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_seed_keypair(view(publicKey), secretKey, view(seed));
  return { publicKey, secretKey };
}

export function signDetached(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  const signature = new Uint8Array(sodium.crypto_sign_BYTES);
  sodium.crypto_sign_detached(view(signature), view(message), view(secretKey));
  return signature;
}

export function randomSeed(): Uint8Array {
  const seed = sodium.sodium_malloc(32);
  sodium.randombytes_buf(seed);
  return seed;
}

export function wipe(bytes: Uint8Array): void {
  sodium.sodium_memzero(view(bytes));
}

/** A signer over a seed held in memory: for tests, benchmarks and one-off imports. */
export function seedSigner(seed: Uint8Array): PacketSigner {
  const { publicKey, secretKey } = keypairFromSeed(seed);
  return { publicKey, sign: (message) => signDetached(secretKey, message) };
}
