// A pure-JS ed25519 verifier (audited @noble/curves) for where no native backend exists: the
// renderer, a browser. About 20x slower than libsodium (docs/performance.md), so main and the server
// inject the native one instead.
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Ed25519Verifier } from './ed25519';

export const nobleVerifier: Ed25519Verifier = {
  verify: (publicKey, message, signature) => {
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
};
