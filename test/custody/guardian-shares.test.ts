// Issue 22 in the vault: a domain key split 3 of 5 for its guardians, each share sealed to its
// guardian and committed to under the domain key's signature. Three guardians seal their shares
// again to a new machine's one-time key, which rebuilds the key; two recover nothing; a share
// swapped or bit-flipped on the way is found and its guardian named; a share of an older backup
// does not combine with the new one's. No plain share ever leaves a vault.
import { describe, expect, it } from 'vitest';
import { nativeVerifier } from '../../src-node/native-ed25519';
import {
  decodeRelayPayload,
  encodeRelayPayload,
  parsePublicKey,
  signPacket,
} from '../../src-shared/pkarr';
import { toHex } from '../../src-shared/pkarr/bytes';
import { backupCommitmentMessage } from '../../src-shared/guardians/commitments';
import { freshLocalApp } from '../support/local';

const family = freshLocalApp();
const domain = family.vault.create('smith family').publicKey;
const guardianApps = Array.from({ length: 5 }, () => freshLocalApp());
const guardians = guardianApps.map((app, i) => ({
  app,
  guardianId: `00000000-0000-4000-8000-00000000000${i}`,
  publicKey: app.vault.create(`guardian ${i}`).publicKey,
}));

async function backup(threshold = 3) {
  const made = await family.vault.backupForGuardians(domain, guardians, threshold);
  const commitments = made.shares.map((s, i) => ({
    guardianKey: guardians[i]!.publicKey,
    commitment: toHex(s.commitment),
  }));
  return { ...made, commitments, threshold };
}

/** A new machine with a one-time key, and the shares the given guardians seal again to it. */
function recoveryBy(made: Awaited<ReturnType<typeof backup>>, approving: number[]) {
  const machine = freshLocalApp();
  const oneTimeKey = machine.vault.create('one-time').publicKey;
  const shares = made.commitments.map((c, i) => ({
    ...c,
    ...(approving.includes(i)
      ? {
          sealed: guardians[i]!.app.vault.resealGuardianShare(
            guardians[i]!.publicKey,
            domain,
            made.shares[i]!.sealed,
            oneTimeKey,
          ),
        }
      : {}),
  }));
  return { machine, oneTimeKey, shares };
}

describe('guardian shares', () => {
  it('3 of 5: each guardian checks its share; three approvals rebuild the key on a new machine', async () => {
    const made = await backup();
    expect(
      nativeVerifier.verify(
        parsePublicKey(domain),
        backupCommitmentMessage(
          domain,
          3,
          made.commitments.map((c, i) => ({ ...c, commitment: made.shares[i]!.commitment })),
        ),
        made.signature,
      ),
    ).toBe(true);
    for (const [i, g] of guardians.entries())
      expect(
        g.app.vault.checkGuardianShare(g.publicKey, {
          publicKey: domain,
          threshold: 3,
          sealed: made.shares[i]!.sealed,
          commitmentSignature: made.signature,
          commitments: made.commitments,
        }),
      ).toBeUndefined();
    const { machine, oneTimeKey, shares } = recoveryBy(made, [0, 2, 4]);
    const recovered = await machine.vault.recoverFromShares({
      oneTimeKey,
      domainKey: domain,
      threshold: 3,
      signature: made.signature,
      shares,
      label: 'smith family',
    });
    expect(recovered).toEqual({ publicKey: domain, badGuardians: [] });
    // The recovered key signs a packet the old public key verifies.
    const packet = signPacket(machine.vault.signer(domain), [
      { type: 'TXT', name: '@', ttl: 60, strings: ['back'] },
    ]);
    const decoded = decodeRelayPayload(
      nativeVerifier,
      parsePublicKey(domain),
      encodeRelayPayload(packet),
    );
    expect(decoded.records).toHaveLength(1);
  });

  it('two approvals recover nothing', async () => {
    const made = await backup();
    const { machine, oneTimeKey, shares } = recoveryBy(made, [1, 3]);
    await expect(
      machine.vault.recoverFromShares({
        oneTimeKey,
        domainKey: domain,
        threshold: 3,
        signature: made.signature,
        shares,
        label: '',
      }),
    ).rejects.toMatchObject({ code: 'NOT_ENOUGH_SHARES' });
    expect(machine.vault.list()).not.toContain(domain);
  });

  it('a share bit-flipped or swapped on the server is found, and its guardian named', async () => {
    const made = await backup();
    const { machine, oneTimeKey, shares } = recoveryBy(made, [0, 1, 2, 3]);
    // Guardian 1's blob damaged; guardian 3's replaced by guardian 0's.
    const flipped = Uint8Array.from(shares[1]!.sealed!);
    flipped[80] = flipped[80]! ^ 1;
    const tampered = shares.map((s, i) =>
      i === 1 ? { ...s, sealed: flipped } : i === 3 ? { ...s, sealed: shares[0]!.sealed } : s,
    );
    await expect(
      machine.vault.recoverFromShares({
        oneTimeKey,
        domainKey: domain,
        threshold: 3,
        signature: made.signature,
        shares: tampered,
        label: '',
      }),
    ).rejects.toThrow(new RegExp(`${guardians[1]!.publicKey}.*${guardians[3]!.publicKey}`));
    // A guardian checking a damaged share of its own is told so.
    expect(
      guardians[1]!.app.vault.checkGuardianShare(guardians[1]!.publicKey, {
        publicKey: domain,
        threshold: 3,
        sealed: made.shares[0]!.sealed,
        commitmentSignature: made.signature,
        commitments: made.commitments,
      }),
    ).toBe('the share does not open with your key');
    // Commitments the domain key did not sign are refused outright.
    const forged = made.commitments.map((c, i) =>
      i === 0 ? { ...c, commitment: '00'.repeat(32) } : c,
    );
    await expect(
      machine.vault.recoverFromShares({
        oneTimeKey,
        domainKey: domain,
        threshold: 3,
        signature: made.signature,
        shares: shares.map((s, i) => ({ ...s, commitment: forged[i]!.commitment })),
        label: '',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_BACKUP' });
  });

  it('after re-sharing, an old share does not combine with the new ones', async () => {
    const old = await backup();
    const fresh = await backup();
    const { machine, oneTimeKey, shares } = recoveryBy(fresh, [1, 2]);
    // Guardian 0 (removed, say) still has its old share and seals it.
    const oldShare = guardians[0]!.app.vault.resealGuardianShare(
      guardians[0]!.publicKey,
      domain,
      old.shares[0]!.sealed,
      oneTimeKey,
    );
    await expect(
      machine.vault.recoverFromShares({
        oneTimeKey,
        domainKey: domain,
        threshold: 3,
        signature: fresh.signature,
        shares: shares.map((s, i) => (i === 0 ? { ...s, sealed: oldShare } : s)),
        label: '',
      }),
    ).rejects.toThrow(new RegExp(guardians[0]!.publicKey));
  });
});
