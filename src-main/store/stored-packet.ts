// The newest packet this app stored for a domain, decoded and its signature checked again (it is
// our own storage, so any timestamp is accepted: the clock may have moved since it was signed).
import { nativeVerifier } from '../../src-node/native-ed25519';
import { decodeRelayPayload, parsePublicKey, type SignedPacket } from '../../src-shared/pkarr';
import type { LocalStore } from './local-store';

export function storedPacket(store: LocalStore, domain: string): SignedPacket | undefined {
  const stored = store.getPacket(domain);
  return stored
    ? decodeRelayPayload(nativeVerifier, parsePublicKey(domain), stored.payload, {
        maxFutureMicros: Number.MAX_SAFE_INTEGER,
      })
    : undefined;
}
