// Guardian recovery over HTTP (docs/guardians.md). The asker: a new machine signed in with a
// one-time key. The guardians: list open recoveries, approve by sealing their share again, or
// freeze. The family: sees every recovery, cancels, lets an owner's device approve early, and sets
// the waiting period.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { Caller } from '../auth/auth-service';
import { requireRole } from '../auth/access';
import { RecoveryService } from '../services/recovery-service';
import { publicKeyOf } from '../services/pubky-sovereignty-service';
import { parseBody, sealedBlob, uuidParam, z32 } from './validation';

const bodies = {
  request: z.object({ publicKey: z32 }).strict(),
  share: z.object({ sealed: sealedBlob }).strict(),
  freeze: z
    .object({
      seconds: z
        .number()
        .int()
        .min(60)
        .max(30 * 86400),
    })
    .strict(),
  wait: z
    .object({
      recoveryWaitSeconds: z
        .number()
        .int()
        .min(0)
        .max(30 * 86400),
    })
    .strict(),
};

export function recoveryRoutes(
  app: FastifyInstance,
  pool: pg.Pool,
  caller: (request: FastifyRequest) => Promise<Caller>,
): void {
  const recoveries = new RecoveryService(pool);
  type RecoveryParams = { Params: { recoveryId: string } };
  type FamilyRecoveryParams = { Params: { familyId: string; recoveryId: string } };

  app.post('/recoveries', async (request, reply) => {
    const me = await caller(request);
    const { publicKey } = parseBody(bodies.request, request.body);
    return reply
      .status(201)
      .send(await recoveries.request(me.userId, me.publicKey, publicKeyOf(publicKey)));
  });

  app.get<RecoveryParams>('/recoveries/:recoveryId', async (request) => {
    const me = await caller(request);
    return recoveries.forRequester(uuidParam(request.params.recoveryId), me.userId);
  });

  app.post<RecoveryParams>('/recoveries/:recoveryId/complete', async (request) => {
    const me = await caller(request);
    await recoveries.complete(uuidParam(request.params.recoveryId), me.userId);
    return { ok: true };
  });

  app.get('/guardian/recoveries', async (request) => {
    const me = await caller(request);
    return recoveries.forGuardian(me.userId);
  });

  app.post<RecoveryParams>('/guardian/recoveries/:recoveryId/share', async (request) => {
    const me = await caller(request);
    const body = parseBody(bodies.share, request.body);
    await recoveries.approveAsGuardian(
      me.userId,
      uuidParam(request.params.recoveryId),
      body.sealed,
    );
    return { ok: true };
  });

  app.post<{ Params: { familyId: string } }>(
    '/guardian/families/:familyId/freeze',
    async (request) => {
      const me = await caller(request);
      const { seconds } = parseBody(bodies.freeze, request.body);
      return recoveries.freeze(me.userId, uuidParam(request.params.familyId), seconds);
    },
  );

  app.get<{ Params: { familyId: string } }>('/families/:familyId/recoveries', async (request) => {
    const me = await caller(request);
    await requireRole(pool, request.params.familyId, me.userId, ['owner', 'member']);
    return recoveries.ofFamily(request.params.familyId);
  });

  app.post<FamilyRecoveryParams>(
    '/families/:familyId/recoveries/:recoveryId/cancel',
    async (request) => {
      const me = await caller(request);
      await requireRole(pool, request.params.familyId, me.userId, ['owner', 'member']);
      await recoveries.cancel(
        request.params.familyId,
        uuidParam(request.params.recoveryId),
        me.userId,
      );
      return { ok: true };
    },
  );

  app.post<FamilyRecoveryParams>(
    '/families/:familyId/recoveries/:recoveryId/approve',
    async (request) => {
      const me = await caller(request);
      await requireRole(pool, request.params.familyId, me.userId, ['owner']);
      await recoveries.approveAsOwner(
        request.params.familyId,
        uuidParam(request.params.recoveryId),
        me.userId,
      );
      return { ok: true };
    },
  );

  app.put<{ Params: { familyId: string } }>(
    '/families/:familyId/recovery-wait',
    async (request) => {
      const me = await caller(request);
      await requireRole(pool, request.params.familyId, me.userId, ['owner']);
      const { recoveryWaitSeconds } = parseBody(bodies.wait, request.body);
      await recoveries.setWait(request.params.familyId, recoveryWaitSeconds);
      return { recoveryWaitSeconds };
    },
  );
}
