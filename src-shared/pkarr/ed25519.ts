// The ed25519 backend is injected: main and server use a native one (libsodium), the renderer a
// WebCrypto or pure-JS one. src-shared only defines what it needs.
export interface Ed25519Verifier {
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs with one key. Implementations keep the secret to themselves (e.g. in the OS keychain). */
export interface PacketSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}
