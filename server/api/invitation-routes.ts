// Invitations over HTTP: owners invite keys (as owner, member or guardian) and revoke open
// invitations; the invitee lists what is addressed to its key and accepts with its signature,
// or declines. Adding someone to a family without their consent is no longer possible.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { AuthService, Caller } from '../auth/auth-service';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { parsePublicKey } from '../../src-shared/pkarr';
import { invitationAcceptMessage } from '../../src-shared/pubky/server-auth';
import { InvitationService } from '../services/invitation-service';
import { ForbiddenError, requireRole } from '../auth/access';
import { base64Bytes, parseBody, uuidParam, z32 } from './validation';

const bodies = {
  invite: z
    .object({
      publicKey: z32,
      role: z.enum(['owner', 'member', 'guardian']),
      displayName: z.string().min(1).max(200).optional(),
    })
    .strict(),
  guardian: z
    .object({ publicKey: z32, displayName: z.string().min(1).max(200).optional() })
    .strict(),
  accept: z.object({ signature: base64Bytes(64) }).strict(),
};

export function invitationRoutes(
  app: FastifyInstance,
  pool: pg.Pool,
  auth: AuthService,
  caller: (request: FastifyRequest) => Promise<Caller>,
): void {
  const invitations = new InvitationService(pool);
  type FamilyParams = { Params: { familyId: string } };
  type InvitationParams = { Params: { invitationId: string } };

  /** An owner invites a key; the members route names the role, the seed's guardian route implies it. */
  const inviteRoute =
    (parse: (body: unknown) => z.infer<typeof bodies.invite>) =>
    async (request: FastifyRequest<FamilyParams>, reply: FastifyReply) => {
      const me = await caller(request);
      await requireRole(pool, request.params.familyId, me.userId, ['owner']);
      const body = parse(request.body);
      return reply.status(201).send(
        await invitations.invite({
          familyId: request.params.familyId,
          invitedBy: me.userId,
          ...body,
        }),
      );
    };
  app.post<FamilyParams>(
    '/families/:familyId/members',
    inviteRoute((body) => parseBody(bodies.invite, body)),
  );
  app.post<FamilyParams>(
    '/families/:familyId/guardians',
    inviteRoute((body) => ({ ...parseBody(bodies.guardian, body), role: 'guardian' })),
  );

  app.get<FamilyParams>('/families/:familyId/invitations', async (request) => {
    const me = await caller(request);
    await requireRole(pool, request.params.familyId, me.userId, ['owner', 'member']);
    return invitations.pendingOf(request.params.familyId);
  });

  app.delete<{ Params: { familyId: string; invitationId: string } }>(
    '/families/:familyId/invitations/:invitationId',
    async (request, reply) => {
      const me = await caller(request);
      await requireRole(pool, request.params.familyId, me.userId, ['owner']);
      await invitations.revoke(request.params.familyId, uuidParam(request.params.invitationId));
      return reply.status(204).send();
    },
  );

  app.get('/invitations', async (request) => {
    const me = await caller(request);
    return invitations.addressedTo(me.publicKey);
  });

  app.post<InvitationParams>('/invitations/:invitationId/accept', async (request) => {
    const me = await caller(request);
    const { signature } = parseBody(bodies.accept, request.body);
    const invitation = await invitations.openFor(
      uuidParam(request.params.invitationId),
      me.publicKey,
    );
    const message = invitationAcceptMessage(
      auth.origin,
      invitation.invitationId,
      invitation.familyId,
      invitation.role,
      me.publicKey,
    );
    if (!nativeVerifier.verify(parsePublicKey(me.publicKey), message, signature))
      throw new ForbiddenError('the signature does not accept this invitation with your key');
    return invitations.accept(invitation.invitationId, me.userId, me.publicKey);
  });

  app.post<InvitationParams>('/invitations/:invitationId/decline', async (request, reply) => {
    const me = await caller(request);
    await invitations.decline(uuidParam(request.params.invitationId), me.publicKey);
    return reply.status(204).send();
  });
}
