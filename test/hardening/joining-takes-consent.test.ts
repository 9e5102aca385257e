// Issue 17 item 7: no one is added to a family without consent. An owner invites a key; only
// the person holding it can accept, by signing the invitation; the name an inviter gives them
// stays in that family instead of becoming the name every family sees.
import { describe, expect, it } from 'vitest';
import { invitationAcceptMessage } from '../../src-shared/pubky/server-auth';
import { call, join, signIn, type ApiUser, createFamily } from '../support/api-client';
import { startApiServer } from '../support/api-server';

const { db, base } = await startApiServer();
const owner = await signIn(base);
const familyId = await createFamily(base, owner, 'Smiths');

const invite = (publicKey: string, role: string, displayName?: string) =>
  call(base, 'POST', `/families/${familyId}/members`, {
    token: owner.accessToken,
    body: { publicKey, role, ...(displayName ? { displayName } : {}) },
  });
const signatureFor = (user: ApiUser, invitationId: string, role: string, signer = user.signer) =>
  Buffer.from(
    signer.sign(invitationAcceptMessage(base, invitationId, familyId, role, user.publicKey)),
  ).toString('base64');
const members = async () =>
  (
    (await call(base, 'GET', `/families/${familyId}/members`, { token: owner.accessToken }))
      .body as {
      userId: string;
      displayName: string;
    }[]
  ).map((m) => m.userId);

describe('joining a family', () => {
  it('an invitation adds no one; only the invitee, signing it, joins', async () => {
    const invitee = await signIn(base);
    const stranger = await signIn(base);
    const invited = await invite(invitee.publicKey, 'member', 'Grandma');
    expect(invited.status).toBe(201);
    const { invitationId } = invited.body as { invitationId: string };
    expect(await members()).not.toContain(invitee.userId);
    expect(
      (await call(base, 'GET', `/families/${familyId}`, { token: invitee.accessToken })).status,
    ).toBe(404);

    // The invitee sees it; nobody else does, nor can act on it.
    const mine = await call(base, 'GET', '/invitations', { token: invitee.accessToken });
    expect(mine.body).toEqual([
      expect.objectContaining({
        invitationId,
        familyId,
        familyName: 'Smiths',
        role: 'member',
        status: 'pending',
      }),
    ]);
    expect((await call(base, 'GET', '/invitations', { token: stranger.accessToken })).body).toEqual(
      [],
    );
    expect(
      (
        await call(base, 'POST', `/invitations/${invitationId}/accept`, {
          token: stranger.accessToken,
          body: { signature: signatureFor(stranger, invitationId, 'member') },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(base, 'POST', `/invitations/${invitationId}/decline`, {
          token: stranger.accessToken,
        })
      ).status,
    ).toBe(404);

    // An access token alone is not consent: the signature must accept this invitation and role.
    for (const signature of [
      signatureFor(invitee, invitationId, 'owner'),
      signatureFor(invitee, invitationId, 'member', stranger.signer),
      Buffer.alloc(64).toString('base64'),
    ]) {
      const refused = await call(base, 'POST', `/invitations/${invitationId}/accept`, {
        token: invitee.accessToken,
        body: { signature },
      });
      expect(refused.status).toBe(403);
    }
    expect(await members()).not.toContain(invitee.userId);

    const accepted = await call(base, 'POST', `/invitations/${invitationId}/accept`, {
      token: invitee.accessToken,
      body: { signature: signatureFor(invitee, invitationId, 'member') },
    });
    expect(accepted.status).toBe(200);
    expect(await members()).toContain(invitee.userId);
    // Spent: it cannot be accepted twice.
    expect(
      (
        await call(base, 'POST', `/invitations/${invitationId}/accept`, {
          token: invitee.accessToken,
          body: { signature: signatureFor(invitee, invitationId, 'member') },
        })
      ).status,
    ).toBe(404);
  });

  it('declined and revoked invitations add no one; only owners invite', async () => {
    const declining = await signIn(base);
    const { invitationId } = (await invite(declining.publicKey, 'member')).body as {
      invitationId: string;
    };
    expect(
      (
        await call(base, 'POST', `/invitations/${invitationId}/decline`, {
          token: declining.accessToken,
        })
      ).status,
    ).toBe(204);
    expect(
      (await call(base, 'GET', '/invitations', { token: declining.accessToken })).body,
    ).toEqual([]);

    const revoked = await signIn(base);
    const second = (await invite(revoked.publicKey, 'guardian')).body as { invitationId: string };
    const open = await call(base, 'GET', `/families/${familyId}/invitations`, {
      token: owner.accessToken,
    });
    expect((open.body as { invitationId: string }[]).map((i) => i.invitationId)).toContain(
      second.invitationId,
    );
    expect(
      (
        await call(base, 'DELETE', `/families/${familyId}/invitations/${second.invitationId}`, {
          token: owner.accessToken,
        })
      ).status,
    ).toBe(204);
    const late = await call(base, 'POST', `/invitations/${second.invitationId}/accept`, {
      token: revoked.accessToken,
      body: { signature: signatureFor(revoked, second.invitationId, 'guardian') },
    });
    expect(late.status).toBe(404);
    expect(await members()).not.toContain(declining.userId);
    expect(await members()).not.toContain(revoked.userId);

    const member = await signIn(base);
    await join(base, owner, familyId, member, 'member');
    const byMember = await call(base, 'POST', `/families/${familyId}/members`, {
      token: member.accessToken,
      body: { publicKey: (await signIn(base)).publicKey, role: 'member' },
    });
    expect(byMember.status).toBe(403);
    // Inviting a key twice while the first invitation is open is a conflict.
    const twiceKey = (await signIn(base)).publicKey;
    expect((await invite(twiceKey, 'member')).status).toBe(201);
    expect((await invite(twiceKey, 'member')).status).toBe(409);
  });

  it("the name a family gives someone stays in that family; nobody's own name changes", async () => {
    const person = await signIn(base);
    const { rows: before } = await db.pool.query('SELECT display_name FROM users WHERE id = $1', [
      person.userId,
    ]);
    await join(base, owner, familyId, person, 'member', 'Grandma');
    const otherOwner = await signIn(base);
    const otherFamily = (
      (
        await call(base, 'POST', '/families', {
          token: otherOwner.accessToken,
          body: { name: 'Other' },
        })
      ).body as {
        id: string;
      }
    ).id;
    const signature = async (invitationId: string) =>
      Buffer.from(
        person.signer.sign(
          invitationAcceptMessage(base, invitationId, otherFamily, 'member', person.publicKey),
        ),
      ).toString('base64');
    const invited = await call(base, 'POST', `/families/${otherFamily}/members`, {
      token: otherOwner.accessToken,
      body: { publicKey: person.publicKey, role: 'member' },
    });
    const { invitationId } = invited.body as { invitationId: string };
    await call(base, 'POST', `/invitations/${invitationId}/accept`, {
      token: person.accessToken,
      body: { signature: await signature(invitationId) },
    });
    const nameIn = async (family: string, token: string) =>
      (
        (await call(base, 'GET', `/families/${family}/members`, { token })).body as {
          userId: string;
          displayName: string;
        }[]
      ).find((m) => m.userId === person.userId)?.displayName;
    expect(await nameIn(familyId, owner.accessToken)).toBe('Grandma');
    expect(await nameIn(otherFamily, otherOwner.accessToken)).toBe(before[0].display_name);
    const { rows: after } = await db.pool.query('SELECT display_name FROM users WHERE id = $1', [
      person.userId,
    ]);
    expect(after).toEqual(before);
  });
});
