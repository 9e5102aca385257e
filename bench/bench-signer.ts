// Throwaway signing keys for the benchmarks.
import { randomBytes } from 'node:crypto';
import sodium from 'sodium-native';
import type { PacketSigner } from '../src-shared/pkarr';

/**
 * Throwaway bench keys in ordinary memory: the app's seedSigner keeps each secret in
 * sodium_malloc'd guarded pages, and tens of thousands of those exhaust the process's mappings.
 */
export function benchSigner(seed: Uint8Array = randomBytes(32)): PacketSigner {
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, Buffer.from(seed));
  return {
    publicKey: new Uint8Array(publicKey),
    sign: (message) => {
      const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
      sodium.crypto_sign_detached(signature, Buffer.from(message), secretKey);
      return signature;
    },
  };
}
