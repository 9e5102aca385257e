// Checking many ed25519 signatures at once. Packet sync verifies a whole upload (100 packets is
// ~7 ms of libsodium) before it touches the database; done on the event loop that blocks every
// other request for as long. A BatchVerifier may do the work elsewhere (signature-worker-pool.ts).
import { nativeVerifier } from '../../src-node/native-ed25519';

export interface SignatureCheck {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

export interface BatchVerifier {
  /** One answer per check, in order: does `signature` sign `message` under `publicKey`? */
  verifyAll(checks: readonly SignatureCheck[]): Promise<boolean[]>;
  close(): Promise<void>;
}

export const verifyInline = (checks: readonly SignatureCheck[]): boolean[] =>
  checks.map((check) => nativeVerifier.verify(check.publicKey, check.message, check.signature));

/** On the calling thread: for tests, small machines and tiny batches. */
export const inlineBatchVerifier: BatchVerifier = {
  verifyAll: async (checks) => verifyInline(checks),
  close: async () => undefined,
};
