// What a guardian backup commits to (docs/guardians.md): each share's hash, bound to the domain
// key and the guardian's key, and one signature of the domain key over all of them. Anyone holding
// a share — its guardian, or a new machine rebuilding the key — checks it against its commitment;
// a share swapped or damaged on the way is found and its guardian named, and a server cannot
// change the commitments without the domain key.
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, toHex, utf8 } from '../pkarr/bytes';

/** The hash a backup commits to for one guardian's share (32 bytes). */
export function shareCommitment(
  domainKey: string,
  guardianKey: string,
  share: Uint8Array,
): Uint8Array {
  return sha256(
    concatBytes(utf8(`pubky-domains guardian share v1\n${domainKey}\n${guardianKey}\n`), share),
  );
}

/** The message the domain key signs: the key, the threshold, and every guardian's commitment. */
export function backupCommitmentMessage(
  domainKey: string,
  threshold: number,
  entries: readonly { readonly guardianKey: string; readonly commitment: Uint8Array }[],
): Uint8Array {
  const lines = entries
    .map((e) => `${e.guardianKey} ${toHex(e.commitment)}`)
    .sort()
    .join('\n');
  return utf8(`pubky-domains guardian backup v1\n${domainKey}\n${threshold}\n${lines}\n`);
}

/** The sealing context of a guardian's share, first to the guardian, then to a recovery. */
export const shareContext = (domainKey: string) => `guardian-share:${domainKey}`;
