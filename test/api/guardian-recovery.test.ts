// Issue 22 on the server: a 3-of-5 backup committed by the domain key; a new machine's one-time
// key asks for recovery; guardians' re-sealed shares are released only after the waiting period
// (or an owner's approval), never while a guardian's freeze holds, never after a family device
// cancelled; the family and every guardian hear of it on the feed.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { z32Encode } from '../../src-shared/pkarr';
import { startApiServer } from '../support/api-server';
import {
  call,
  createFamily,
  join,
  registerDomain,
  signedBackup,
  signIn,
  type ApiUser,
} from '../support/api-client';

const { db, base } = await startApiServer();
const owner = await signIn(base);
const member = await signIn(base);
const outsider = await signIn(base);
const familyId = await createFamily(base, owner, 'Recovering');
await join(base, owner, familyId, member, 'member');
const guardians: (ApiUser & { guardianId: string })[] = [];
for (let i = 0; i < 5; i++) {
  const user = await signIn(base);
  const { guardianId } = await join(base, owner, familyId, user, 'guardian');
  guardians.push({ ...user, guardianId: guardianId! });
}

async function backedUpKey() {
  const registered = await registerDomain(base, owner, familyId);
  const body = await signedBackup(
    base,
    owner,
    familyId,
    registered.signer,
    3,
    guardians.map((g) => ({ guardianId: g.guardianId, encryptedShare: randomBytes(80) })),
  );
  const created = await call(base, 'POST', `/families/${familyId}/backups`, {
    token: owner.accessToken,
    body,
  });
  expect(created.status).toBe(201);
  return z32Encode(registered.signer.publicKey);
}
const setWait = async (seconds: number) =>
  expect(
    (
      await call(base, 'PUT', `/families/${familyId}/recovery-wait`, {
        token: owner.accessToken,
        body: { recoveryWaitSeconds: seconds },
      })
    ).status,
  ).toBe(200);
const approve = (guardian: ApiUser, recoveryId: string, sealed = randomBytes(105)) =>
  call(base, 'POST', `/guardian/recoveries/${recoveryId}/share`, {
    token: guardian.accessToken,
    body: { sealed: sealed.toString('base64') },
  });
type Seen = {
  status: string;
  released: boolean;
  approvals: number;
  shares: { guardianKey: string; commitment: string; sealed?: string }[];
  commitmentSignature: string;
};

describe('guardian recovery', () => {
  it('nothing is released before the waiting period; after it, the re-sealed shares and commitments', async () => {
    await setWait(2);
    const publicKey = await backedUpKey();
    const newMachine = await signIn(base, seedSigner(randomSeed()));
    const asked = await call(base, 'POST', '/recoveries', {
      token: newMachine.accessToken,
      body: { publicKey },
    });
    expect(asked.status).toBe(201);
    const { recoveryId } = asked.body as { recoveryId: string };
    // Every guardian sees it, with the one-time key to seal to.
    for (const g of guardians) {
      const open = (await call(base, 'GET', '/guardian/recoveries', { token: g.accessToken }))
        .body as { recoveryId: string; ephemeralPublicKey: string }[];
      expect(open.find((r) => r.recoveryId === recoveryId)?.ephemeralPublicKey).toBe(
        newMachine.publicKey,
      );
    }
    for (const g of guardians.slice(0, 3)) expect((await approve(g, recoveryId)).status).toBe(200);
    const early = (
      await call(base, 'GET', `/recoveries/${recoveryId}`, { token: newMachine.accessToken })
    ).body as Seen;
    expect(early).toMatchObject({ status: 'waiting', released: false, approvals: 3 });
    expect(early.shares.every((s) => s.sealed === undefined)).toBe(true);
    expect(early.shares).toHaveLength(5);
    // Nobody else can read it.
    expect(
      (await call(base, 'GET', `/recoveries/${recoveryId}`, { token: outsider.accessToken }))
        .status,
    ).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const later = (
      await call(base, 'GET', `/recoveries/${recoveryId}`, { token: newMachine.accessToken })
    ).body as Seen;
    expect(later.released).toBe(true);
    expect(later.shares.filter((s) => s.sealed).length).toBe(3);
    expect(later.commitmentSignature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // Completed: the sealed shares are gone and the key's custody says how it came back.
    expect(
      (
        await call(base, 'POST', `/recoveries/${recoveryId}/complete`, {
          token: newMachine.accessToken,
        })
      ).status,
    ).toBe(200);
    const left = await db.pool.query(
      'SELECT 1 FROM guardian_recovery_shares WHERE recovery_id = $1',
      [recoveryId],
    );
    expect(left.rowCount).toBe(0);
    const custody = await db.pool.query<{ custody: string }>(
      'SELECT custody FROM pubky_keypairs WHERE public_key = $1',
      [publicKey],
    );
    expect(custody.rows[0]!.custody).toBe('guardian-recovered');
    // The family and each guardian heard of it.
    const events = await db.pool.query<{ kind: string; op: string }>(
      `SELECT kind, data->>'op' AS op FROM feed_events WHERE entity->>'recoveryId' = $1 ORDER BY seq`,
      [recoveryId],
    );
    expect(events.rows.filter((e) => e.kind === 'family_event').map((e) => e.op)).toEqual([
      'recovery_requested',
      'recovery_completed',
    ]);
    expect(events.rows.filter((e) => e.kind === 'guardian_event')).toHaveLength(10);
  });

  it('a family device cancels: nothing is ever released; an owner may release early', async () => {
    await setWait(3600);
    const publicKey = await backedUpKey();
    const thief = await signIn(base);
    const { recoveryId } = (
      await call(base, 'POST', '/recoveries', { token: thief.accessToken, body: { publicKey } })
    ).body as { recoveryId: string };
    for (const g of guardians.slice(0, 3)) await approve(g, recoveryId);
    // A member cannot approve early; an owner could, but cancels instead.
    expect(
      (
        await call(base, 'POST', `/families/${familyId}/recoveries/${recoveryId}/approve`, {
          token: member.accessToken,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(base, 'POST', `/families/${familyId}/recoveries/${recoveryId}/cancel`, {
          token: member.accessToken,
        })
      ).status,
    ).toBe(200);
    const seen = (
      await call(base, 'GET', `/recoveries/${recoveryId}`, { token: thief.accessToken })
    ).body as Seen;
    expect(seen).toMatchObject({ status: 'cancelled', released: false });
    expect(seen.shares.every((s) => s.sealed === undefined)).toBe(true);
    expect((await approve(guardians[3]!, recoveryId)).status).toBe(404);

    // Asked again by the rightful owner's new machine, an owner's device lets it go at once.
    const mine = await signIn(base);
    const again = (
      await call(base, 'POST', '/recoveries', { token: mine.accessToken, body: { publicKey } })
    ).body as { recoveryId: string };
    for (const g of guardians.slice(1, 4)) await approve(g, again.recoveryId);
    await call(base, 'POST', `/families/${familyId}/recoveries/${again.recoveryId}/approve`, {
      token: owner.accessToken,
    });
    const released = (
      await call(base, 'GET', `/recoveries/${again.recoveryId}`, { token: mine.accessToken })
    ).body as Seen;
    expect(released.released).toBe(true);
    expect(released.shares.filter((s) => s.sealed)).toHaveLength(3);
  });

  it('a guardian’s freeze stops recoveries until it ends; the family sees who froze it', async () => {
    await setWait(0);
    const publicKey = await backedUpKey();
    const asker = await signIn(base);
    const { recoveryId } = (
      await call(base, 'POST', '/recoveries', { token: asker.accessToken, body: { publicKey } })
    ).body as { recoveryId: string };
    for (const g of guardians.slice(0, 3)) await approve(g, recoveryId);
    const frozen = await call(base, 'POST', `/guardian/families/${familyId}/freeze`, {
      token: guardians[4]!.accessToken,
      body: { seconds: 3600 },
    });
    expect(frozen.status).toBe(200);
    const seen = (
      await call(base, 'GET', `/recoveries/${recoveryId}`, { token: asker.accessToken })
    ).body as Seen & { frozenUntil: string | null };
    expect(seen.released).toBe(false);
    expect(seen.frozenUntil).not.toBeNull();
    const family = (
      await call(base, 'GET', `/families/${familyId}/recoveries`, { token: owner.accessToken })
    ).body as { freezes: { publicKey: string }[]; recoveryWaitSeconds: number };
    expect(family.freezes.map((f) => f.publicKey)).toEqual([guardians[4]!.publicKey]);
    expect(family.recoveryWaitSeconds).toBe(0);
    // When the freeze ends, the recovery goes on.
    await db.pool.query(
      "UPDATE guardian_freezes SET frozen_until = now() - interval '1 second' WHERE family_id = $1",
      [familyId],
    );
    expect(
      (
        (await call(base, 'GET', `/recoveries/${recoveryId}`, { token: asker.accessToken }))
          .body as Seen
      ).released,
    ).toBe(true);
    await call(base, 'POST', `/guardian/families/${familyId}/freeze`, {
      token: guardians[4]!.accessToken,
      body: { seconds: 3600 },
    });
    // No new recovery while frozen; the freeze is a guardian's alone.
    await call(base, 'POST', `/families/${familyId}/recoveries/${recoveryId}/cancel`, {
      token: owner.accessToken,
    });
    expect(
      (await call(base, 'POST', '/recoveries', { token: asker.accessToken, body: { publicKey } }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(base, 'POST', `/guardian/families/${familyId}/freeze`, {
          token: member.accessToken,
          body: { seconds: 3600 },
        })
      ).status,
    ).toBe(404);
    await db.pool.query('DELETE FROM guardian_freezes WHERE family_id = $1', [familyId]);
  });

  it('refuses bad requests and outsiders', async () => {
    const publicKey = await backedUpKey();
    expect(
      (
        await call(base, 'POST', '/recoveries', {
          token: outsider.accessToken,
          body: { publicKey: z32Encode(seedSigner(randomSeed()).publicKey) },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(base, 'POST', '/recoveries', {
          token: outsider.accessToken,
          body: { publicKey: 'x' },
        })
      ).status,
    ).toBe(400);
    const { recoveryId } = (
      await call(base, 'POST', '/recoveries', { token: outsider.accessToken, body: { publicKey } })
    ).body as { recoveryId: string };
    expect(
      (
        await call(base, 'POST', '/recoveries', {
          token: outsider.accessToken,
          body: { publicKey },
        })
      ).status,
    ).toBe(409);
    // Only a guardian holding a share of it approves; a blob too small is refused.
    expect((await approve(member, recoveryId)).status).toBe(404);
    expect((await approve(guardians[0]!, recoveryId, randomBytes(10))).status).toBe(400);
    expect(
      (
        await call(base, 'PUT', `/families/${familyId}/recovery-wait`, {
          token: member.accessToken,
          body: { recoveryWaitSeconds: 0 },
        })
      ).status,
    ).toBe(403);
  });
});
