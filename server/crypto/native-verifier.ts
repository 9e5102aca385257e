// ed25519 verification on libsodium for the server: it checks every packet it is sent, so the
// pure-JS path (about 20x slower, docs/performance.md) would cap it far below its targets.
import sodium from 'sodium-native';
import type { Ed25519Verifier } from '../../src-shared/pkarr';

export const serverVerifier: Ed25519Verifier = {
  verify: (publicKey, message, signature) =>
    publicKey.length === sodium.crypto_sign_PUBLICKEYBYTES &&
    signature.length === sodium.crypto_sign_BYTES &&
    // sodium-native takes any Uint8Array; its types ask for Buffer.
    sodium.crypto_sign_verify_detached(signature as Buffer, message as Buffer, publicKey as Buffer),
};
