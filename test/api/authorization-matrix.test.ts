// Every route × every kind of caller gives the expected status, and no answer to an outsider
// ever contains the family's data.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeRelayPayload, signPacket, z32Encode } from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { startApiServer } from '../support/api-server';
import { domainProofMessage } from '../../src-shared/pubky/server-auth';
import { call, signIn, registerDomain, join, signedBackup } from '../support/api-client';

const { db, base, auth } = await startApiServer();

const owner = await signIn(base);
const member = await signIn(base);
const guardian = await signIn(base);
const outsider = await signIn(base);
const family = (
  await call(base, 'POST', '/families', { token: owner.accessToken, body: { name: 'The Okafors' } })
).body as { id: string };
await call(base, 'POST', '/families', {
  token: outsider.accessToken,
  body: { name: 'Someone else' },
});
await join(base, owner, family.id, member, 'member');
await join(base, owner, family.id, guardian, 'guardian');

const guardianList = (
  await call(base, 'GET', `/families/${family.id}/guardians`, { token: owner.accessToken })
).body as { guardianId: string; userId: string }[];
const guardianId = guardianList.find((g) => g.userId === guardian.userId)!.guardianId;
async function freshGuardian(): Promise<string> {
  const { guardianId } = await join(base, owner, family.id, await signIn(base), 'guardian');
  return guardianId!;
}
const secondGuardian = { guardianId: await freshGuardian() };

/** A 2-of-2 backup of a fresh key, one share for the matrix's guardian. */
async function backupBody() {
  const domain = await freshDomain();
  return signedBackup(
    base,
    owner,
    family.id,
    domain.signer,
    2,
    [guardianId, secondGuardian.guardianId].map((id) => ({
      guardianId: id,
      encryptedShare: randomBytes(48),
    })),
  );
}

async function freshBackup(): Promise<string> {
  const created = await call(base, 'POST', `/families/${family.id}/backups`, {
    token: owner.accessToken,
    body: await backupBody(),
  });
  return (created.body as { backupId: string }).backupId;
}

/** A registration body with a valid proof of holding a fresh key (for any caller to send). */
async function provenDomain() {
  const signer = seedSigner(randomSeed());
  const publicKey = z32Encode(signer.publicKey);
  const { nonce } = (await call(base, 'POST', '/auth/challenge', { body: { publicKey } })).body as {
    nonce: string;
  };
  const signature = Buffer.from(
    signer.sign(domainProofMessage(base, family.id, nonce, publicKey)),
  ).toString('base64');
  return { publicKey, proof: { nonce, signature } };
}

/** A fresh domain (and its key) of the family for each check, so checks do not interact. */
async function freshDomain() {
  const signer = seedSigner(randomSeed());
  const created = await registerDomain(base, owner, family.id, signer, { custody: 'os-keychain' });
  const domain = created.body as { domainRecordId: string; publicKey: string };
  return { ...domain, signer };
}

/** A key share waiting for the member. */
async function freshKeyShare() {
  const domain = await freshDomain();
  const created = await call(base, 'POST', `/domains/${domain.domainRecordId}/key-shares`, {
    token: owner.accessToken,
    body: { recipientId: member.userId, sealed: randomBytes(105).toString('base64') },
  });
  return (created.body as { keyShareId: string }).keyShareId;
}

async function freshMigration() {
  const domain = await freshDomain();
  const created = await call(base, 'POST', `/domains/${domain.domainRecordId}/migrations`, {
    token: owner.accessToken,
    body: { direction: 'pubky_to_dns' },
  });
  return (created.body as { id: string }).id;
}

const expiredToken = await auth.accessToken(owner.userId, owner.publicKey, -60);
const tamperedToken =
  owner.accessToken.slice(0, -4) + (owner.accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');

type Who = 'owner' | 'member' | 'guardian' | 'outsider' | 'anonymous' | 'expired' | 'tampered';
const tokens: Record<Who, string | undefined> = {
  owner: owner.accessToken,
  member: member.accessToken,
  guardian: guardian.accessToken,
  outsider: outsider.accessToken,
  anonymous: undefined,
  expired: expiredToken,
  tampered: tamperedToken,
};

interface Route {
  readonly name: string;
  readonly request: (who: Who) => Promise<{ method: string; path: string; body?: unknown }>;
  readonly expect: Partial<Record<Who, number>>;
}

const denied = { anonymous: 401, expired: 401, tampered: 401 } as const;
const routes: Route[] = [
  {
    name: 'GET /me',
    request: async () => ({ method: 'GET', path: '/me' }),
    expect: { owner: 200, member: 200, guardian: 200, outsider: 200, ...denied },
  },
  {
    name: 'POST /families',
    request: async () => ({ method: 'POST', path: '/families', body: { name: 'New' } }),
    expect: { owner: 201, member: 201, guardian: 201, outsider: 201, ...denied },
  },
  {
    name: 'GET /families/:id',
    request: async () => ({ method: 'GET', path: `/families/${family.id}` }),
    expect: { owner: 200, member: 200, guardian: 200, outsider: 404, ...denied },
  },
  {
    name: 'GET /families/:id (unknown id)',
    request: async () => ({ method: 'GET', path: `/families/${randomUUID()}` }),
    expect: { owner: 404, member: 404, guardian: 404, outsider: 404, ...denied },
  },
  {
    name: 'GET /families/:id/members',
    request: async () => ({ method: 'GET', path: `/families/${family.id}/members` }),
    expect: { owner: 200, member: 200, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'POST /families/:id/members',
    request: async () => ({
      method: 'POST',
      path: `/families/${family.id}/members`,
      body: { publicKey: z32Encode(seedSigner(randomSeed()).publicKey), role: 'member' },
    }),
    expect: { owner: 201, member: 403, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'GET /families/:id/domains',
    request: async () => ({ method: 'GET', path: `/families/${family.id}/domains` }),
    expect: { owner: 200, member: 200, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'POST /families/:id/domains',
    request: async () => ({
      method: 'POST',
      path: `/families/${family.id}/domains`,
      body: await provenDomain(),
    }),
    expect: { owner: 201, member: 201, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'GET /domains/:id/score',
    request: async () => ({
      method: 'GET',
      path: `/domains/${(await freshDomain()).domainRecordId}/score`,
    }),
    expect: { owner: 200, member: 200, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'POST /domains/:id/migrations',
    request: async () => ({
      method: 'POST',
      path: `/domains/${(await freshDomain()).domainRecordId}/migrations`,
      body: { direction: 'pubky_to_dns' },
    }),
    expect: { owner: 201, member: 403, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'PATCH /migrations/:id',
    request: async () => ({
      method: 'PATCH',
      path: `/migrations/${await freshMigration()}`,
      body: { status: 'in_progress' },
    }),
    expect: { owner: 200, member: 403, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'GET /domains/:id/records',
    request: async () => ({
      method: 'GET',
      path: `/domains/${(await freshDomain()).domainRecordId}/records`,
    }),
    expect: { owner: 200, member: 200, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'GET /families/:id/guardians',
    request: async () => ({ method: 'GET', path: `/families/${family.id}/guardians` }),
    expect: { owner: 200, member: 200, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'POST /families/:id/guardians',
    request: async () => ({
      method: 'POST',
      path: `/families/${family.id}/guardians`,
      body: { publicKey: z32Encode(seedSigner(randomSeed()).publicKey) },
    }),
    expect: { owner: 201, member: 403, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'DELETE /families/:id/guardians/:guardianId',
    request: async () => ({
      method: 'DELETE',
      path: `/families/${family.id}/guardians/${await freshGuardian()}`,
    }),
    expect: { owner: 204, member: 403, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'GET /families/:id/backups',
    request: async () => ({ method: 'GET', path: `/families/${family.id}/backups` }),
    expect: { owner: 200, member: 200, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'POST /families/:id/backups',
    request: async () => ({
      method: 'POST',
      path: `/families/${family.id}/backups`,
      body: await backupBody(),
    }),
    expect: { owner: 201, member: 403, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'GET /guardian/shares',
    request: async () => ({ method: 'GET', path: '/guardian/shares' }),
    expect: { owner: 200, member: 200, guardian: 200, outsider: 200, ...denied },
  },
  {
    name: 'POST /guardian/shares/:backupId/acknowledge',
    request: async () => ({
      method: 'POST',
      path: `/guardian/shares/${await freshBackup()}/acknowledge`,
    }),
    expect: { owner: 404, member: 404, guardian: 200, outsider: 404, ...denied },
  },
  {
    name: 'POST /domains/:domainId/key-shares',
    request: async (who) => ({
      method: 'POST',
      path: `/domains/${(await freshDomain()).domainRecordId}/key-shares`,
      body: {
        recipientId: who === 'member' ? owner.userId : member.userId,
        sealed: randomBytes(105).toString('base64'),
      },
    }),
    expect: { owner: 201, member: 201, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'POST /domains/:domainId/facts',
    request: async () => ({
      method: 'POST',
      path: `/domains/${(await freshDomain()).domainRecordId}/facts`,
      body: { recoveryExported: true },
    }),
    expect: { owner: 200, member: 200, guardian: 403, outsider: 404, ...denied },
  },
  {
    name: 'GET /key-shares',
    request: async () => ({ method: 'GET', path: '/key-shares' }),
    expect: { owner: 200, member: 200, guardian: 200, outsider: 200, ...denied },
  },
  {
    name: 'POST /key-shares/:keyShareId/accept',
    request: async () => ({
      method: 'POST',
      path: `/key-shares/${await freshKeyShare()}/accept`,
    }),
    expect: { owner: 404, member: 200, guardian: 404, outsider: 404, ...denied },
  },
  {
    name: 'POST /sync/packets',
    request: async () => {
      const domain = await freshDomain();
      const payload = Buffer.from(
        encodeRelayPayload(
          signPacket(domain.signer, [{ type: 'A', name: '@', ttl: 60, address: '192.0.2.9' }]),
        ),
      ).toString('base64');
      return {
        method: 'POST',
        path: '/sync/packets',
        body: { packets: [{ clientId: randomUUID(), publicKey: domain.publicKey, payload }] },
      };
    },
    expect: { owner: 200, member: 200, guardian: 200, outsider: 200, ...denied },
  },
];

const familyData = async () => {
  const { rows } = await db.pool.query<{ v: string }>(
    `SELECT name AS v FROM families WHERE id = $1
     UNION ALL SELECT id::text FROM domain_records WHERE family_id = $1
     UNION ALL SELECT public_key FROM pubky_domains WHERE family_id = $1`,
    [family.id],
  );
  return [family.id, ...rows.map((r) => r.v)];
};

describe('authorization matrix', () => {
  const cases = routes.flatMap((route) =>
    (Object.keys(route.expect) as Who[]).map((who) => [route.name, who, route] as const),
  );
  it.each(cases)('%s as %s', async (_name, who, route) => {
    const request = await route.request(who);
    const response = await call(base, request.method, request.path, {
      ...(tokens[who] ? { token: tokens[who] } : {}),
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    expect(response.status, response.text).toBe(route.expect[who]);
    if (who === 'outsider' || who === 'anonymous' || who === 'expired' || who === 'tampered') {
      for (const secret of await familyData()) expect(response.text).not.toContain(secret);
    }
    if (route.name === 'POST /sync/packets') {
      const status = (response.body as { results?: { status: string }[] }).results?.[0]?.status;
      if (who === 'owner' || who === 'member') expect(status).toBe('stored');
      if (who === 'guardian' || who === 'outsider') expect(status).toBe('not_found');
    }
  });
});
