// Sharing a domain key between a family's devices over HTTP: a member's app posts the key sealed
// to another member's Pubky key; the recipient lists what waits for it and answers. The server
// holds only sealed blobs and deletes each once answered (docs/protocol.md).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { Caller } from '../auth/auth-service';
import { requireRoleFor } from '../auth/access';
import { KeyShareService } from '../services/key-share-service';
import { parseBody, sealedBlob, uuid, uuidParam } from './validation';

const shareBody = z.object({ recipientId: uuid, sealed: sealedBlob }).strict();

export function keyShareRoutes(
  app: FastifyInstance,
  pool: pg.Pool,
  caller: (request: FastifyRequest) => Promise<Caller>,
): void {
  const shares = new KeyShareService(pool);
  type ShareParams = { Params: { keyShareId: string } };

  app.post<{ Params: { domainId: string } }>(
    '/domains/:domainId/key-shares',
    async (request, reply) => {
      const me = await caller(request);
      const domainId = uuidParam(request.params.domainId);
      await requireRoleFor(pool, 'domain_records', domainId, me.userId, ['owner', 'member']);
      const body = parseBody(shareBody, request.body);
      return reply
        .status(201)
        .send(await shares.share(domainId, me.userId, body.recipientId, body.sealed));
    },
  );

  app.get('/key-shares', async (request) => {
    const me = await caller(request);
    return shares.openFor(me.userId);
  });

  const answer = (accepted: boolean) => async (request: FastifyRequest<ShareParams>) => {
    const me = await caller(request);
    await shares.answer(uuidParam(request.params.keyShareId), me.userId, accepted);
    return { ok: true };
  };
  app.post<ShareParams>('/key-shares/:keyShareId/accept', answer(true));
  app.post<ShareParams>('/key-shares/:keyShareId/decline', answer(false));
}
