// The companion server's JSON API. Every route but sign-in needs a Bearer access token; bodies
// are parsed with zod; a caller sees and changes only its own families.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { AuthService, Caller } from '../auth/auth-service';
import { AuthError } from '../auth/auth-service';
import { PubkySovereigntyService, publicKeyOf } from '../services/pubky-sovereignty-service';
import { ServiceError } from '../services/service-error';
import { ForbiddenError, requireRole, requireRoleFor } from '../auth/access';
import { migrationStatuses, moveMigration } from '../services/migration-states';
import { syncPackets } from '../ingest/sync';
import type { BatchVerifier } from '../crypto/batch-verifier';
import { guardianRoutes } from './guardian-routes';
import { invitationRoutes } from './invitation-routes';
import { keyShareRoutes } from './key-share-routes';
import { recoveryRoutes } from './recovery-routes';
import { KeyShareService } from '../services/key-share-service';
import { base64Bytes, BODY_LIMITS, parseBody, uuid, uuidParam, z32 } from './validation';
import { domainProofMessage } from '../../src-shared/pubky/server-auth';
import { MemberService } from '../services/member-service';
import { FamilyService } from '../services/family-service';
import { DomainService } from '../services/domain-service';

export interface ApiDeps {
  readonly pool: pg.Pool;
  readonly auth: AuthService;
  readonly onSync?: (status: string) => void;
  /** Checks uploaded packets' signatures; inline when absent. */
  readonly signatures?: BatchVerifier;
}

const bodies = {
  challenge: z.object({ publicKey: z32 }).strict(),
  session: z
    .object({ publicKey: z32, nonce: z.string().min(32).max(128), signature: base64Bytes(64) })
    .strict(),
  refresh: z.object({ refreshToken: z.string().min(20).max(200) }).strict(),
  pubkyToken: z.object({ token: base64Bytes(4096) }).strict(),
  family: z.object({ name: z.string().min(1).max(200) }).strict(),
  domain: z
    .object({
      publicKey: z32,
      label: z.string().max(200).optional(),
      custody: z.enum(['os-keychain', 'guardian-recovered', 'unknown']).optional(),
      /** The domain key's signature over domainProofMessage() with a fresh /auth/challenge nonce. */
      proof: z.object({ nonce: z.string().min(32).max(128), signature: base64Bytes(64) }).strict(),
    })
    .strict(),
  role: z.object({ role: z.enum(['owner', 'member']) }).strict(),
  /** What only the app knows about a domain and the score uses (the seed's portability). */
  facts: z
    .object({
      recoveryExported: z.literal(true).optional(),
      homeserver: z.object({ publicKey: z32, selfHosted: z.boolean() }).strict().optional(),
    })
    .strict()
    .refine((f) => f.recoveryExported || f.homeserver, 'name at least one fact'),
  migration: z
    .object({
      direction: z.enum(['dns_to_pubky', 'pubky_to_dns']),
      /** What the app plans (its zone and counts); the app keeps the records and runs it. */
      plan: z
        .object({
          zone: z.string().min(1).max(253),
          records: z.number().int().min(0).max(1000),
          leftOut: z.number().int().min(0).max(100_000).optional(),
          /** The planned records as text (`A @ 300 192.0.2.10`), for the family to read. */
          planned: z.array(z.string().max(1200)).max(200).optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  migrationStatus: z
    .object({ status: z.enum(migrationStatuses), error: z.string().max(2000).optional() })
    .strict(),
  sync: z
    .object({
      packets: z
        .array(z.object({ clientId: uuid, publicKey: z32, payload: base64Bytes(1072) }).strict())
        .min(1)
        .max(100),
    })
    .strict(),
};

export async function apiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { pool, auth } = deps;
  const sovereignty = new PubkySovereigntyService(pool);
  const members = new MemberService(pool);
  const families = new FamilyService(pool);
  const domains = new DomainService(pool);
  const keyShares = new KeyShareService(pool);

  const caller = async (request: FastifyRequest): Promise<Caller> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._-]{10,2000})$/.exec(header);
    if (!match?.[1]) throw new AuthError('Sign in first: Authorization: Bearer <token>.');
    return auth.verify(match[1]);
  };

  app.post('/auth/challenge', async (request) =>
    auth.challenge(parseBody(bodies.challenge, request.body).publicKey),
  );
  app.post('/auth/session', async (request) => {
    const body = parseBody(bodies.session, request.body);
    return auth.signIn(body.publicKey, body.nonce, body.signature);
  });
  app.post('/auth/pubky-token', async (request) =>
    auth.signInWithAuthToken(parseBody(bodies.pubkyToken, request.body).token),
  );
  app.post('/auth/refresh', async (request) =>
    auth.refresh(parseBody(bodies.refresh, request.body).refreshToken),
  );
  // Signing out ends the refresh token; the same answer whatever it was (nothing to probe).
  app.post('/auth/sign-out', async (request, reply) => {
    await auth.signOut(parseBody(bodies.refresh, request.body).refreshToken);
    return reply.status(204).send();
  });

  app.get('/me', async (request) => {
    const me = await caller(request);
    return {
      userId: me.userId,
      publicKey: me.publicKey,
      families: await families.familiesOf(me.userId),
    };
  });

  app.post('/families', async (request, reply) => {
    const me = await caller(request);
    const { name } = parseBody(bodies.family, request.body);
    const created = await families.create(name, me.userId);
    return reply.status(201).send({ ...created, role: 'owner' });
  });

  app.get<{ Params: { familyId: string } }>('/families/:familyId', async (request) => {
    const me = await caller(request);
    const role = await requireRole(pool, request.params.familyId, me.userId, [
      'owner',
      'member',
      'guardian',
    ]);
    return { ...(await families.get(request.params.familyId)), role };
  });

  app.get<{ Params: { familyId: string } }>('/families/:familyId/members', async (request) => {
    const me = await caller(request);
    await requireRole(pool, request.params.familyId, me.userId, ['owner', 'member']);
    return families.members(request.params.familyId);
  });

  type MemberParams = { Params: { familyId: string; userId: string } };
  app.patch<MemberParams>('/families/:familyId/members/:userId', async (request) => {
    const me = await caller(request);
    await requireRole(pool, request.params.familyId, me.userId, ['owner']);
    const { role } = parseBody(bodies.role, request.body);
    return members.changeRole(request.params.familyId, uuidParam(request.params.userId), role);
  });

  // An owner removes anyone; anyone may leave.
  app.delete<MemberParams>('/families/:familyId/members/:userId', async (request, reply) => {
    const me = await caller(request);
    const userId = uuidParam(request.params.userId);
    await requireRole(
      pool,
      request.params.familyId,
      me.userId,
      userId === me.userId ? ['owner', 'member', 'guardian'] : ['owner'],
    );
    await members.remove(request.params.familyId, userId);
    return reply.status(204).send();
  });

  app.get<{ Params: { familyId: string } }>('/families/:familyId/domains', async (request) => {
    const me = await caller(request);
    await requireRole(pool, request.params.familyId, me.userId, ['owner', 'member']);
    return families.domains(request.params.familyId);
  });

  app.post<{ Params: { familyId: string } }>(
    '/families/:familyId/domains',
    async (request, reply) => {
      const me = await caller(request);
      await requireRole(pool, request.params.familyId, me.userId, ['owner', 'member']);
      const body = parseBody(bodies.domain, request.body);
      const publicKey = publicKeyOf(body.publicKey);
      // Proof first: without it, nothing says whether or where this key is registered.
      const proven = await auth.spendChallenge(
        publicKey,
        body.proof.nonce,
        domainProofMessage(auth.origin, request.params.familyId, body.proof.nonce, publicKey),
        body.proof.signature,
      );
      if (!proven)
        throw new ForbiddenError(
          "the proof does not show this key's holder registering it in this family (sign a fresh challenge with the domain key)",
        );
      // The seed's DomainService: a Pubky domain is named by its key, labelled if the app says so.
      const domain = await domains.registerPubkyDomain(
        body.label || publicKey,
        request.params.familyId,
        {
          publicKey,
          ...(body.custody ? { custody: body.custody } : {}),
        },
      );
      // The registering member's devices hold the key (the family's list names its holders).
      await keyShares.addHolder(domain.domainRecordId, me.userId);
      return reply.status(201).send(domain);
    },
  );

  app.get<{ Params: { domainId: string } }>('/domains/:domainId/score', async (request) => {
    const me = await caller(request);
    await requireRoleFor(pool, 'domain_records', request.params.domainId, me.userId, [
      'owner',
      'member',
    ]);
    const score = await sovereignty.calculateSovereigntyScore(request.params.domainId);
    const history = await sovereignty.scoreHistory(request.params.domainId);
    return { ...score, history };
  });

  // Facts the server cannot see for itself: a recovery file saved, the homeserver chosen. The
  // triggers rescore the domain (its feed then carries the new score).
  app.post<{ Params: { domainId: string } }>('/domains/:domainId/facts', async (request) => {
    const me = await caller(request);
    const domainId = uuidParam(request.params.domainId);
    await requireRoleFor(pool, 'domain_records', domainId, me.userId, ['owner', 'member']);
    const facts = parseBody(bodies.facts, request.body);
    await sovereignty.recordFacts(domainId, {
      recoveryExported: facts.recoveryExported === true,
      ...(facts.homeserver && {
        homeserver: {
          publicKey: publicKeyOf(facts.homeserver.publicKey),
          selfHosted: facts.homeserver.selfHosted,
        },
      }),
    });
    return { ok: true };
  });

  app.post<{ Params: { domainId: string } }>(
    '/domains/:domainId/migrations',
    async (request, reply) => {
      const me = await caller(request);
      await requireRoleFor(pool, 'domain_records', request.params.domainId, me.userId, ['owner']);
      const body = parseBody(bodies.migration, request.body);
      const migration = await sovereignty.createDomainMigration({
        domainRecordId: request.params.domainId,
        direction: body.direction,
        ...(body.plan && { plan: body.plan }),
      });
      return reply.status(201).send(migration);
    },
  );

  app.patch<{ Params: { migrationId: string } }>('/migrations/:migrationId', async (request) => {
    const me = await caller(request);
    await requireRoleFor(pool, 'domain_migrations', request.params.migrationId, me.userId, [
      'owner',
    ]);
    const body = parseBody(bodies.migrationStatus, request.body);
    return moveMigration(pool, request.params.migrationId, body.status, body.error);
  });

  app.get<{ Params: { domainId: string } }>('/domains/:domainId/records', async (request) => {
    const me = await caller(request);
    await requireRoleFor(pool, 'domain_records', request.params.domainId, me.userId, [
      'owner',
      'member',
    ]);
    return families.records(request.params.domainId);
  });

  guardianRoutes(app, pool, caller);
  invitationRoutes(app, pool, auth, caller);
  keyShareRoutes(app, pool, caller);
  recoveryRoutes(app, pool, caller);

  app.post('/sync/packets', { bodyLimit: BODY_LIMITS.sync }, async (request) => {
    const me = await caller(request);
    const { packets } = parseBody(bodies.sync, request.body);
    const results = await syncPackets(pool, me.userId, packets, deps.signatures);
    for (const result of results) deps.onSync?.(result.status);
    return { results };
  });
}

export const httpStatusOf = (error: unknown): number | undefined => {
  if (error instanceof AuthError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof ServiceError)
    return { NOT_FOUND: 404, CONFLICT: 409, INVALID: 400 }[error.code];
  return undefined;
};
