// Guardian routes. The family's side (owner changes, members read): its guardians and its
// threshold backups. The guardian's side: the shares it holds and their acknowledgement. A
// guardian sees only what it guards: never the family's domains, members or other shares.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { Caller } from '../auth/auth-service';
import { GuardianService } from '../services/guardian-service';
import { requireRole } from '../auth/access';
import { base64Bytes, BODY_LIMITS, parseBody, uuid, z32 } from './validation';

const bodies = {
  backup: z
    .object({
      publicKey: z32,
      threshold: z.number().int().min(2).max(255),
      shares: z
        .array(
          z
            .object({
              guardianId: uuid,
              encryptedShare: base64Bytes(4096),
              /** shareCommitment() of the share (src-shared/guardians/commitments.ts). */
              commitment: base64Bytes(32),
            })
            .strict(),
        )
        .min(2)
        .max(255),
      /** The domain key's signature over backupCommitmentMessage(). */
      commitmentSignature: base64Bytes(64),
    })
    .strict(),
};

export function guardianRoutes(
  app: FastifyInstance,
  pool: pg.Pool,
  caller: (request: FastifyRequest) => Promise<Caller>,
): void {
  const guardians = new GuardianService(pool);
  type FamilyParams = { Params: { familyId: string } };

  app.get<FamilyParams>('/families/:familyId/guardians', async (request) => {
    const me = await caller(request);
    await requireRole(pool, request.params.familyId, me.userId, ['owner', 'member']);
    return guardians.list(request.params.familyId);
  });

  app.delete<{ Params: { familyId: string; guardianId: string } }>(
    '/families/:familyId/guardians/:guardianId',
    async (request, reply) => {
      const me = await caller(request);
      await requireRole(pool, request.params.familyId, me.userId, ['owner']);
      await guardians.remove(request.params.familyId, uuidParam(request.params.guardianId));
      return reply.status(204).send();
    },
  );

  app.get<FamilyParams>('/families/:familyId/backups', async (request) => {
    const me = await caller(request);
    await requireRole(pool, request.params.familyId, me.userId, ['owner', 'member']);
    return guardians.backups(request.params.familyId);
  });

  app.post<FamilyParams>(
    '/families/:familyId/backups',
    { bodyLimit: BODY_LIMITS.backup },
    async (request, reply) => {
      const me = await caller(request);
      await requireRole(pool, request.params.familyId, me.userId, ['owner']);
      const body = parseBody(bodies.backup, request.body);
      return reply
        .status(201)
        .send(await guardians.createBackup({ familyId: request.params.familyId, ...body }));
    },
  );

  app.get('/guardian/shares', async (request) => {
    const me = await caller(request);
    return guardians.sharesOf(me.userId);
  });

  app.post<{ Params: { backupId: string } }>(
    '/guardian/shares/:backupId/acknowledge',
    async (request) => {
      const me = await caller(request);
      return guardians.acknowledge(me.userId, uuidParam(request.params.backupId));
    },
  );
}

/** A path id that is not a uuid names nothing: NOT_FOUND, like an unknown one. */
function uuidParam(value: string): string {
  const parsed = uuid.safeParse(value);
  return parsed.success ? parsed.data : '00000000-0000-0000-0000-000000000000';
}
