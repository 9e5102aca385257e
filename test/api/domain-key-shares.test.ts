// Sharing a domain key between a family's devices through the server: the holder seals the key's
// seed to another member's Pubky key; the server keeps only the sealed blob, lists it to that
// member alone, tells the family's feed, deletes it once answered and remembers who holds the key.
// Outsiders, guardians and bad bodies are refused and change nothing.
import { describe, expect, it } from 'vitest';
import { parsePublicKey } from '../../src-shared/pkarr';
import { open, seal } from '../../src-shared/crypto/sealed-box';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { startApiServer } from '../support/api-server';
import { call, createFamily, join, registerDomain, signIn } from '../support/api-client';

const { db, base } = await startApiServer();
const ownerSeed = randomSeed();
const owner = await signIn(base, seedSigner(ownerSeed));
const memberSeed = randomSeed();
const member = await signIn(base, seedSigner(memberSeed));
const guardian = await signIn(base);
const outsider = await signIn(base);
const familyId = await createFamily(base, owner, 'Sharing');
await join(base, owner, familyId, member, 'member', 'Second parent');
await join(base, owner, familyId, guardian, 'guardian');

async function newDomain() {
  const seed = randomSeed();
  const registered = await registerDomain(base, owner, familyId, seedSigner(seed));
  const { domainRecordId, publicKey } = registered.body as {
    domainRecordId: string;
    publicKey: string;
  };
  return { seed, domainRecordId, publicKey };
}

const context = (publicKey: string) => `domain-key:${publicKey}`;
const sealFor = (seed: Uint8Array, recipient: string, publicKey: string) =>
  Buffer.from(seal(seed, parsePublicKey(recipient), context(publicKey))).toString('base64');

describe('domain key shares', () => {
  it('relays a sealed key to one member, who opens it; answered, the server keeps nothing of it', async () => {
    const domain = await newDomain();
    const sealed = sealFor(domain.seed, member.publicKey, domain.publicKey);
    const shared = await call(base, 'POST', `/domains/${domain.domainRecordId}/key-shares`, {
      token: owner.accessToken,
      body: { recipientId: member.userId, sealed },
    });
    expect(shared.status).toBe(201);
    const { keyShareId } = shared.body as { keyShareId: string };

    // Only the recipient sees it; the owner and the guardian see nothing waiting.
    for (const other of [owner, guardian, outsider])
      expect((await call(base, 'GET', '/key-shares', { token: other.accessToken })).body).toEqual(
        [],
      );
    const waiting = await call(base, 'GET', '/key-shares', { token: member.accessToken });
    expect(waiting.body).toEqual([
      expect.objectContaining({
        keyShareId,
        familyId,
        familyName: 'Sharing',
        domainRecordId: domain.domainRecordId,
        publicKey: domain.publicKey,
        senderId: owner.userId,
        senderPublicKey: owner.publicKey,
        sealed,
      }),
    ]);
    // The member's key opens it into the domain's seed; the owner's does not.
    const blob = new Uint8Array(Buffer.from(sealed, 'base64'));
    expect(Buffer.from(open(blob, memberSeed, context(domain.publicKey)))).toEqual(
      Buffer.from(domain.seed),
    );
    expect(() => open(blob, ownerSeed, context(domain.publicKey))).toThrow();
    // What the server stored is the sealed blob, never the seed.
    const stored = await db.pool.query<{ sealed: Buffer }>(
      'SELECT sealed FROM domain_key_shares WHERE id = $1',
      [keyShareId],
    );
    expect(stored.rows[0]!.sealed.toString('base64')).toBe(sealed);
    expect(stored.rows[0]!.sealed.includes(Buffer.from(domain.seed))).toBe(false);
    // The family's feed heard of it (the recipient's app lists it at once).
    const events = await db.pool.query<{ data: { op: string; recipientId: string } }>(
      `SELECT data FROM feed_events WHERE family_id = $1 AND kind = 'family_event'
         AND data->>'keyShareId' = $2 ORDER BY seq`,
      [familyId, keyShareId],
    );
    expect(events.rows.map((r) => r.data.op)).toEqual(['key_shared']);
    expect(events.rows[0]!.data.recipientId).toBe(member.userId);

    // Someone else's answer finds nothing; the recipient's accept deletes it and names a holder.
    expect(
      (await call(base, 'POST', `/key-shares/${keyShareId}/accept`, { token: owner.accessToken }))
        .status,
    ).toBe(404);
    const accepted = await call(base, 'POST', `/key-shares/${keyShareId}/accept`, {
      token: member.accessToken,
    });
    expect(accepted.status).toBe(200);
    expect(
      (await db.pool.query('SELECT 1 FROM domain_key_shares WHERE id = $1', [keyShareId])).rowCount,
    ).toBe(0);
    const domains = await call(base, 'GET', `/families/${familyId}/domains`, {
      token: member.accessToken,
    });
    const listed = (domains.body as { id: string; holders: string[] }[]).find(
      (d) => d.id === domain.domainRecordId,
    );
    expect(listed?.holders).toEqual([owner.userId, member.userId]);
    expect(
      (await call(base, 'POST', `/key-shares/${keyShareId}/accept`, { token: member.accessToken }))
        .status,
    ).toBe(404);
  });

  it('a decline deletes the blob and names no holder; a new share replaces an open one', async () => {
    const domain = await newDomain();
    const post = (sealed: string) =>
      call(base, 'POST', `/domains/${domain.domainRecordId}/key-shares`, {
        token: owner.accessToken,
        body: { recipientId: member.userId, sealed },
      });
    const first = (await post(sealFor(domain.seed, member.publicKey, domain.publicKey))).body as {
      keyShareId: string;
    };
    const again = sealFor(domain.seed, member.publicKey, domain.publicKey);
    const second = (await post(again)).body as { keyShareId: string };
    expect(second.keyShareId).toBe(first.keyShareId);
    const waiting = (await call(base, 'GET', '/key-shares', { token: member.accessToken }))
      .body as { sealed: string }[];
    expect(waiting.map((w) => w.sealed)).toEqual([again]);
    expect(
      (
        await call(base, 'POST', `/key-shares/${first.keyShareId}/decline`, {
          token: member.accessToken,
        })
      ).status,
    ).toBe(200);
    expect((await call(base, 'GET', '/key-shares', { token: member.accessToken })).body).toEqual(
      [],
    );
    const domains = (
      await call(base, 'GET', `/families/${familyId}/domains`, { token: owner.accessToken })
    ).body as { id: string; holders: string[] }[];
    expect(domains.find((d) => d.id === domain.domainRecordId)?.holders).toEqual([owner.userId]);
  });

  it('refuses outsiders, guardians, oneself and bad blobs, storing nothing', async () => {
    const domain = await newDomain();
    const good = sealFor(domain.seed, member.publicKey, domain.publicKey);
    const attempts: [typeof owner, unknown, number][] = [
      [outsider, { recipientId: member.userId, sealed: good }, 404],
      [guardian, { recipientId: member.userId, sealed: good }, 403],
      [owner, { recipientId: guardian.userId, sealed: good }, 400],
      [owner, { recipientId: outsider.userId, sealed: good }, 400],
      [owner, { recipientId: owner.userId, sealed: good }, 400],
      [owner, { recipientId: member.userId, sealed: 'AAAA' }, 400],
      [owner, { recipientId: member.userId, sealed: 'A'.repeat(6000) }, 400],
      [owner, { recipientId: member.userId, sealed: '%%%not base64%%%' }, 400],
      [owner, { recipientId: 'not-a-uuid', sealed: good }, 400],
      [owner, { recipientId: member.userId, sealed: good, extra: 1 }, 400],
      [owner, 'not json at all', 400],
    ];
    for (const [who, body, status] of attempts) {
      const answer = await call(base, 'POST', `/domains/${domain.domainRecordId}/key-shares`, {
        token: who.accessToken,
        body,
      });
      expect([answer.status, body]).toEqual([status, body]);
    }
    expect(
      (
        await call(base, 'POST', `/domains/not-a-domain/key-shares`, {
          token: owner.accessToken,
          body: { recipientId: member.userId, sealed: good },
        })
      ).status,
    ).toBe(404);
    const rows = await db.pool.query(
      'SELECT 1 FROM domain_key_shares WHERE domain_record_id = $1',
      [domain.domainRecordId],
    );
    expect(rows.rowCount).toBe(0);
  });

  it("a removed member's open shares close and it stops being named a holder", async () => {
    const leaving = await signIn(base);
    await join(base, owner, familyId, leaving, 'member');
    const share = async (domain: Awaited<ReturnType<typeof newDomain>>) => {
      const shared = await call(base, 'POST', `/domains/${domain.domainRecordId}/key-shares`, {
        token: owner.accessToken,
        body: {
          recipientId: leaving.userId,
          sealed: sealFor(domain.seed, leaving.publicKey, domain.publicKey),
        },
      });
      expect(shared.status).toBe(201);
      return (shared.body as { keyShareId: string }).keyShareId;
    };
    const held = await newDomain();
    await call(base, 'POST', `/key-shares/${await share(held)}/accept`, {
      token: leaving.accessToken,
    });
    await share(await newDomain());
    const holdersOf = async () =>
      (
        (await call(base, 'GET', `/families/${familyId}/domains`, { token: owner.accessToken }))
          .body as { id: string; holders: string[] }[]
      ).find((d) => d.id === held.domainRecordId)?.holders;
    expect(await holdersOf()).toEqual([owner.userId, leaving.userId]);

    const removed = await call(base, 'DELETE', `/families/${familyId}/members/${leaving.userId}`, {
      token: owner.accessToken,
    });
    expect(removed.status).toBe(204);
    expect((await call(base, 'GET', '/key-shares', { token: leaving.accessToken })).body).toEqual(
      [],
    );
    expect(await holdersOf()).toEqual([owner.userId]);
  });
});
