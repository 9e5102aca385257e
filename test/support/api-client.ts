// Signing in to a running companion server the way the app does, and calling its API.
import {
  domainProofMessage,
  invitationAcceptMessage,
  signInMessage,
} from '../../src-shared/pubky/server-auth';
import { randomUUID } from 'node:crypto';
import {
  encodeRelayPayload,
  signPacket,
  z32Encode,
  type PacketSigner,
} from '../../src-shared/pkarr';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { backupCommitmentMessage, shareCommitment } from '../../src-shared/guardians/commitments';

export interface ApiUser {
  readonly signer: PacketSigner;
  readonly publicKey: string;
  readonly userId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, text };
}

export async function signIn(
  base: string,
  signer: PacketSigner = seedSigner(randomSeed()),
): Promise<ApiUser> {
  const publicKey = z32Encode(signer.publicKey);
  const challenge = await call(base, 'POST', '/auth/challenge', { body: { publicKey } });
  const { nonce } = challenge.body as { nonce: string };
  const signature = Buffer.from(signer.sign(signInMessage(base, nonce, publicKey))).toString(
    'base64',
  );
  const session = await call(base, 'POST', '/auth/session', {
    body: { publicKey, nonce, signature },
  });
  if (session.status !== 200) throw new Error(`sign-in failed: ${session.text}`);
  const tokens = session.body as { accessToken: string; refreshToken: string; userId: string };
  return { signer, publicKey, ...tokens };
}

/**
 * Registers `signer`'s key as a domain of the family the way the app does: a fresh challenge,
 * signed by the domain key over this server's origin and the family (the proof of holding it).
 */
export async function registerDomain(
  base: string,
  user: ApiUser,
  familyId: string,
  signer: PacketSigner = seedSigner(randomSeed()),
  extra: { label?: string; custody?: string } = {},
): Promise<{ status: number; body: unknown; text: string; signer: PacketSigner }> {
  const publicKey = z32Encode(signer.publicKey);
  const challenge = await call(base, 'POST', '/auth/challenge', { body: { publicKey } });
  const { nonce } = challenge.body as { nonce: string };
  const signature = Buffer.from(
    signer.sign(domainProofMessage(base, familyId, nonce, publicKey)),
  ).toString('base64');
  const answer = await call(base, 'POST', `/families/${familyId}/domains`, {
    token: user.accessToken,
    body: { publicKey, ...extra, proof: { nonce, signature } },
  });
  return { ...answer, signer };
}

/**
 * Brings `invitee` into the family the way people do: an owner invites its key, the invitee's
 * app signs the acceptance. Returns the guardian id when the role is guardian.
 */
export async function join(
  base: string,
  owner: ApiUser,
  familyId: string,
  invitee: ApiUser,
  role: 'owner' | 'member' | 'guardian' = 'member',
  displayName?: string,
): Promise<{ guardianId: string | null }> {
  const invited = await call(base, 'POST', `/families/${familyId}/members`, {
    token: owner.accessToken,
    body: { publicKey: invitee.publicKey, role, ...(displayName ? { displayName } : {}) },
  });
  if (invited.status !== 201) throw new Error(`invitation failed: ${invited.text}`);
  const { invitationId } = invited.body as { invitationId: string };
  const signature = Buffer.from(
    invitee.signer.sign(
      invitationAcceptMessage(base, invitationId, familyId, role, invitee.publicKey),
    ),
  ).toString('base64');
  const accepted = await call(base, 'POST', `/invitations/${invitationId}/accept`, {
    token: invitee.accessToken,
    body: { signature },
  });
  if (accepted.status !== 200) throw new Error(`acceptance failed: ${accepted.text}`);
  return { guardianId: (accepted.body as { guardianId: string | null }).guardianId };
}

/** One packet of a /sync/packets body: a TXT record naming its timestamp, signed by `signer`. */
export function syncedPacket(
  signer: PacketSigner,
  timestamp: number,
  clientId: string = randomUUID(),
): { clientId: string; publicKey: string; payload: string } {
  const packet = signPacket(
    signer,
    [{ type: 'TXT', name: '@', ttl: 60, strings: [String(timestamp)] }],
    {
      timestamp,
    },
  );
  return {
    clientId,
    publicKey: z32Encode(signer.publicKey),
    payload: Buffer.from(encodeRelayPayload(packet)).toString('base64'),
  };
}

/** A new family owned by `user`; its id. */
export async function createFamily(base: string, user: ApiUser, name: string): Promise<string> {
  const created = await call(base, 'POST', '/families', {
    token: user.accessToken,
    body: { name },
  });
  if (created.status !== 201) throw new Error(`family not created: ${created.text}`);
  return (created.body as { id: string }).id;
}

/**
 * A backup body as the family's app sends it: each share with its commitment, and the domain
 * key's signature over them all (src-shared/guardians/commitments.ts). Guardians' keys are read
 * from the family.
 */
export async function signedBackup(
  base: string,
  owner: ApiUser,
  familyId: string,
  domain: PacketSigner,
  threshold: number,
  shares: readonly { guardianId: string; encryptedShare: Uint8Array }[],
) {
  const listed = await call(base, 'GET', `/families/${familyId}/guardians`, {
    token: owner.accessToken,
  });
  const keyOf = new Map(
    (listed.body as { guardianId: string; publicKey: string }[]).map((g) => [
      g.guardianId,
      g.publicKey,
    ]),
  );
  const publicKey = z32Encode(domain.publicKey);
  const entries = shares.map((share) => ({
    ...share,
    guardianKey: keyOf.get(share.guardianId) ?? share.guardianId,
    commitment: shareCommitment(
      publicKey,
      keyOf.get(share.guardianId) ?? share.guardianId,
      share.encryptedShare,
    ),
  }));
  return {
    publicKey,
    threshold,
    shares: entries.map((e) => ({
      guardianId: e.guardianId,
      encryptedShare: Buffer.from(e.encryptedShare).toString('base64'),
      commitment: Buffer.from(e.commitment).toString('base64'),
    })),
    commitmentSignature: Buffer.from(
      domain.sign(backupCommitmentMessage(publicKey, threshold, entries)),
    ).toString('base64'),
  };
}
