// Guardians through the API: an owner names five guardians and stores a 3-of-5 backup of a key;
// each guardian sees exactly its own share (bytes as uploaded) and nothing else of the family;
// acknowledgements become score evidence; a new backup supersedes the old; bad requests are
// refused with typed errors and change nothing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z32Encode } from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { startApiServer } from '../support/api-server';
import {
  call,
  signIn,
  type ApiUser,
  registerDomain,
  join,
  signedBackup,
} from '../support/api-client';
import type { PacketSigner } from '../../src-shared/pkarr';

const { db, base } = await startApiServer();
const owner = await signIn(base);
const family = (
  await call(base, 'POST', '/families', { token: owner.accessToken, body: { name: 'Guarded' } })
).body as { id: string };
const other = await signIn(base);
const otherFamily = (
  await call(base, 'POST', '/families', { token: other.accessToken, body: { name: 'Other' } })
).body as { id: string };

const guardians: (ApiUser & { guardianId: string })[] = [];
for (let i = 0; i < 5; i++) {
  const user = await signIn(base);
  const { guardianId } = await join(base, owner, family.id, user, 'guardian', `Guardian ${i}`);
  guardians.push({ ...user, guardianId: guardianId! });
}

async function newKey(): Promise<{
  publicKey: string;
  domainRecordId: string;
  signer: PacketSigner;
}> {
  const created = await registerDomain(base, owner, family.id, undefined, {
    custody: 'os-keychain',
  });
  return {
    ...(created.body as { publicKey: string; domainRecordId: string }),
    signer: created.signer,
  };
}

const shareBytes = () => guardians.map(() => randomBytes(96));
const backup = async (key: { signer: PacketSigner }, shares: Buffer[], threshold = 3) =>
  call(base, 'POST', `/families/${family.id}/backups`, {
    token: owner.accessToken,
    body: await signedBackup(
      base,
      owner,
      family.id,
      key.signer,
      threshold,
      guardians.map((g, i) => ({ guardianId: g.guardianId, encryptedShare: shares[i]! })),
    ),
  });

const breakdownOf = async (domainRecordId: string) => {
  const score = await call(base, 'GET', `/domains/${domainRecordId}/score`, {
    token: owner.accessToken,
  });
  return score.body as { breakdown: { factors: { key: string; reasons: { code: string }[] }[] } };
};
const reasons = async (domainRecordId: string) =>
  (await breakdownOf(domainRecordId)).breakdown.factors.flatMap((f) =>
    f.reasons.map((r) => r.code),
  );

describe('guardian backups', () => {
  it('each guardian sees only its own share, acknowledges it, and the score follows', async () => {
    const key = await newKey();
    const shares = shareBytes();
    const created = await backup(key, shares);
    expect(created.status).toBe(201);
    const { backupId } = created.body as { backupId: string };

    for (const [i, guardian] of guardians.entries()) {
      const mine = await call(base, 'GET', '/guardian/shares', { token: guardian.accessToken });
      expect(mine.body).toEqual([
        expect.objectContaining({
          backupId,
          familyId: family.id,
          publicKey: key.publicKey,
          threshold: 3,
          shareCount: 5,
          encryptedShare: shares[i]!.toString('base64'),
          acknowledgedAt: null,
        }),
      ]);
      for (const [j, share] of shares.entries())
        if (j !== i) expect(mine.text).not.toContain(share.toString('base64'));
      // A guardian is not a member: the family's domains and members stay closed to it.
      const domains = await call(base, 'GET', `/families/${family.id}/domains`, {
        token: guardian.accessToken,
      });
      expect(domains.status).toBe(403);
    }

    expect(await reasons(key.domainRecordId)).not.toContain('guardian_backup_complete');
    await Promise.all(
      guardians
        .slice(0, 3)
        .map((g) =>
          call(base, 'POST', `/guardian/shares/${backupId}/acknowledge`, { token: g.accessToken }),
        ),
    );
    expect(await reasons(key.domainRecordId)).toContain('guardian_backup_complete');
    const summary = await call(base, 'GET', `/families/${family.id}/backups`, {
      token: owner.accessToken,
    });
    expect(summary.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ backupId, acknowledged: 3, status: 'active' }),
      ]),
    );
    expect(summary.text).not.toContain(shares[0]!.toString('base64'));
    const listed = await call(base, 'GET', `/families/${family.id}/guardians`, {
      token: owner.accessToken,
    });
    const statuses = (listed.body as { backupStatus: string }[]).map((g) => g.backupStatus);
    expect(statuses.filter((s) => s === 'acknowledged')).toHaveLength(3);
  });

  it('a new backup supersedes the old one: guardians see only the new shares', async () => {
    const key = await newKey();
    const first = (await backup(key, shareBytes())).body as { backupId: string };
    const secondShares = shareBytes();
    const second = (await backup(key, secondShares)).body as { backupId: string };
    const mine = (await call(base, 'GET', '/guardian/shares', { token: guardians[0]!.accessToken }))
      .body as { backupId: string; encryptedShare: string }[];
    expect(mine.map((s) => s.backupId)).toContain(second.backupId);
    expect(mine.map((s) => s.backupId)).not.toContain(first.backupId);
    const late = await call(base, 'POST', `/guardian/shares/${first.backupId}/acknowledge`, {
      token: guardians[0]!.accessToken,
    });
    expect(late.status).toBe(404);
  });

  it('refuses bad backups and guardians with typed errors, changing nothing', async () => {
    const key = await newKey();
    const count = async () =>
      Number((await db.pool.query('SELECT count(*) FROM guardian_backup_shares')).rows[0].count);
    const before = await count();
    const foreignGuardian = (await join(
      base,
      other,
      otherFamily.id,
      await signIn(base),
      'guardian',
    )) as {
      guardianId: string;
    };
    const post = (body: unknown) =>
      call(base, 'POST', `/families/${family.id}/backups`, { token: owner.accessToken, body });
    const share = (guardianId: string) => ({
      guardianId,
      encryptedShare: randomBytes(32).toString('base64'),
      commitment: randomBytes(32).toString('base64'),
    });
    const signature = randomBytes(64).toString('base64');
    const g = guardians.map((x) => x.guardianId);
    const cases: [unknown, number, string][] = [
      [{ publicKey: key.publicKey, threshold: 6, shares: g.map(share) }, 400, 'INVALID'],
      [{ publicKey: key.publicKey, threshold: 1, shares: g.map(share) }, 400, 'INVALID'],
      [{ publicKey: key.publicKey, threshold: 2, shares: [share(g[0]!)] }, 400, 'INVALID'],
      // Commitments the domain key did not sign: a backup nobody could check.
      [
        {
          publicKey: key.publicKey,
          threshold: 2,
          shares: g.map(share),
          commitmentSignature: signature,
        },
        400,
        'INVALID',
      ],
      [
        { publicKey: key.publicKey, threshold: 2, shares: [share(g[0]!), share(g[0]!)] },
        400,
        'INVALID',
      ],
      [
        {
          publicKey: key.publicKey,
          threshold: 2,
          shares: [share(g[0]!), share(foreignGuardian.guardianId)],
        },
        404,
        'NOT_FOUND',
      ],
      [
        {
          publicKey: z32Encode(seedSigner(randomSeed()).publicKey),
          threshold: 2,
          shares: [share(g[0]!), share(g[1]!)],
        },
        404,
        'NOT_FOUND',
      ],
      [
        {
          publicKey: key.publicKey,
          threshold: 2,
          shares: [share(g[0]!), { guardianId: g[1], encryptedShare: 'A'.repeat(6000) }],
        },
        400,
        'INVALID',
      ],
      [{ publicKey: key.publicKey, threshold: 2, shares: g.map(share), extra: 1 }, 400, 'INVALID'],
    ];
    for (const [body, status, code] of cases) {
      const answer = await post(
        typeof body === 'object' && body && !('commitmentSignature' in body)
          ? { ...body, commitmentSignature: signature }
          : body,
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.body).toMatchObject({ error: { code } });
    }
    expect(await count()).toBe(before);

    // The family's own owner cannot be its guardian; nor can a guardian be added twice.
    const self = await call(base, 'POST', `/families/${family.id}/guardians`, {
      token: owner.accessToken,
      body: { publicKey: owner.publicKey },
    });
    expect(self.status).toBe(409);
    const twice = await call(base, 'POST', `/families/${family.id}/guardians`, {
      token: owner.accessToken,
      body: { publicKey: guardians[0]!.publicKey },
    });
    expect(twice.status).toBe(409);
    const unknown = await call(
      base,
      'DELETE',
      `/families/${family.id}/guardians/${foreignGuardian.guardianId}`,
      { token: owner.accessToken },
    );
    expect(unknown.status).toBe(404);
  });

  it('removing a guardian ends its access to its shares', async () => {
    const key = await newKey();
    await backup(key, shareBytes());
    const leaving = guardians[4]!;
    const removed = await call(
      base,
      'DELETE',
      `/families/${family.id}/guardians/${leaving.guardianId}`,
      { token: owner.accessToken },
    );
    expect(removed.status).toBe(204);
    const mine = await call(base, 'GET', '/guardian/shares', { token: leaving.accessToken });
    expect(mine.body).toEqual([]);
    const familyView = await call(base, 'GET', `/families/${family.id}`, {
      token: leaving.accessToken,
    });
    // It knew the family: it is told it lost access (issue 17), not that nothing is there.
    expect(familyView.status).toBe(403);
  });
});
