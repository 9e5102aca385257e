// Issue 18: one freshness rule. Two different packets of one key with the same timestamp leave
// the same stored winner — the one with the larger DNS bytes — whether they arrive by relay PUT,
// by sync, or one by each, in either order.
import { describe, expect, it } from 'vitest';
import {
  encodeRelayPayload,
  signPacket,
  z32Encode,
  type SignedPacket,
} from '../../src-shared/pkarr';
import { call, createFamily, registerDomain, signIn } from '../support/api-client';
import { startApiServer } from '../support/api-server';
import { randomUUID } from 'node:crypto';

const { db, base } = await startApiServer();
const owner = await signIn(base);
const familyId = await createFamily(base, owner, 'Ties');

/** Two packets of a fresh domain with one timestamp: [smaller DNS bytes, larger DNS bytes]. */
async function tie() {
  const { signer } = await registerDomain(base, owner, familyId);
  const timestamp = Date.now() * 1000;
  const packets = ['192.0.2.1', '192.0.2.2'].map((address) =>
    signPacket(signer, [{ type: 'A', name: '@', ttl: 300, address }], { timestamp }),
  );
  packets.sort((a, b) => Buffer.compare(Buffer.from(a.dns), Buffer.from(b.dns)));
  return { key: z32Encode(signer.publicKey), small: packets[0]!, large: packets[1]! };
}
const put = (key: string, packet: SignedPacket) =>
  fetch(`${base}/relay/${key}`, { method: 'PUT', body: encodeRelayPayload(packet) });
const sync = async (key: string, packet: SignedPacket) => {
  const answer = await call(base, 'POST', '/sync/packets', {
    token: owner.accessToken,
    body: {
      packets: [
        {
          clientId: randomUUID(),
          publicKey: key,
          payload: Buffer.from(encodeRelayPayload(packet)).toString('base64'),
        },
      ],
    },
  });
  return (answer.body as { results: { status: string }[] }).results[0]!.status;
};
/** What the relay serves and what the domain's packet row holds: the DNS bytes of each. */
async function winner(key: string) {
  const { rows } = await db.pool.query<{ relay: Buffer; row: Buffer | null }>(
    `SELECT substring(r.payload FROM 73) AS relay,
            (SELECT substring(p.packet FROM 73) FROM pkarr_records p JOIN pubky_domains d ON d.id = p.pubky_domain_id
             WHERE d.public_key = $1) AS row
     FROM relay_packets r WHERE r.public_key = $1`,
    [key],
  );
  return rows[0]!;
}
const dnsOf = (packet: SignedPacket) => Buffer.from(packet.dns);

describe('equal timestamps', () => {
  it('through relay PUT, in either order, the larger DNS bytes win', async () => {
    const first = await tie();
    expect((await put(first.key, first.small)).status).toBe(204);
    expect((await put(first.key, first.large)).status).toBe(204);
    expect((await winner(first.key)).relay).toEqual(dnsOf(first.large));
    const second = await tie();
    expect((await put(second.key, second.large)).status).toBe(204);
    expect((await put(second.key, second.small)).status).toBe(409);
    expect((await winner(second.key)).relay).toEqual(dnsOf(second.large));
  });

  it('through sync, in either order, the same winner, and the loser is told it is stale', async () => {
    const first = await tie();
    expect(await sync(first.key, first.small)).toBe('stored');
    expect(await sync(first.key, first.large)).toBe('stored');
    expect(await winner(first.key)).toEqual({ relay: dnsOf(first.large), row: dnsOf(first.large) });
    const second = await tie();
    expect(await sync(second.key, second.large)).toBe('stored');
    expect(await sync(second.key, second.small)).toBe('stale');
    expect(await winner(second.key)).toEqual({
      relay: dnsOf(second.large),
      row: dnsOf(second.large),
    });
  });

  it('across the two paths, and within one sync batch, the same winner', async () => {
    const mixed = await tie();
    expect((await put(mixed.key, mixed.large)).status).toBe(204);
    expect(await sync(mixed.key, mixed.small)).toBe('stored'); // the domain's row had nothing yet
    expect((await winner(mixed.key)).relay).toEqual(dnsOf(mixed.large));
    const batch = await tie();
    const answer = await call(base, 'POST', '/sync/packets', {
      token: owner.accessToken,
      body: {
        packets: [batch.large, batch.small].map((packet) => ({
          clientId: randomUUID(),
          publicKey: batch.key,
          payload: Buffer.from(encodeRelayPayload(packet)).toString('base64'),
        })),
      },
    });
    expect((answer.body as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(
      ['stored', 'stale'],
    );
    expect(await winner(batch.key)).toEqual({ relay: dnsOf(batch.large), row: dnsOf(batch.large) });
  });
});
