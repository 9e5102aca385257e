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

export interface LoadPlan {
  readonly api: string;
  readonly families: readonly { readonly token: string; readonly seeds: readonly string[] }[];
  readonly batch: number;
  /** Packets to pre-sign for the ingest phases. */
  readonly ingestPackets: number;
  /** Fresh keys to pre-sign for the relay PUT phases (every relay gets the same packets). */
  readonly relayPackets: number;
}

export type Phase =
  | { kind: 'ingest-closed'; seconds: number; concurrency: number }
  | { kind: 'ingest-open'; seconds: number; packetsPerSecond: number }
  | { kind: 'relay-put'; seconds: number; concurrency: number; base: string }
  | { kind: 'relay-get'; seconds: number; concurrency: number; base: string };

export interface PhaseResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly packetsPerSecond?: number;
  readonly statuses: Record<string, number>;
  readonly latencyMs: { p50: number; p99: number; max: number };
  readonly stored?: number;
}
