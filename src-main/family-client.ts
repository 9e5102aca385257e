// The family as the companion server keeps it: families, members and roles, invitations. Every
// call carries this device's access token (main's memory); every answer is parsed before use, since
// a server is as hostile an input as any. Accepting an invitation is signed in the vault.
import { z } from 'zod';
import type {
  FamilyInvitation,
  FamilyMember,
  FamilySummary,
  FamilyView,
  ScoreView,
} from '../src-shared/ipc';
import { domainProofMessage, invitationAcceptMessage } from '../src-shared/pubky/server-auth';
import type { KeyVault } from './custody/key-vault';
import { AppError } from './errors';
import { serverRequest } from './server-request';
import type { ServerSession } from './server-session';

const role = z.enum(['owner', 'member', 'guardian']);
const summary = z.object({ id: z.string().uuid(), name: z.string().max(200), role });
const member = z.object({
  userId: z.string().uuid(),
  displayName: z.string().max(200).nullable(),
  publicKey: z.string().max(60).nullable(),
  role,
});
const invitation = z.object({
  invitationId: z.string().uuid(),
  familyId: z.string().uuid(),
  familyName: z.string().max(200),
  publicKey: z.string().max(60),
  role,
  displayName: z.string().max(200).nullable(),
  status: z.string().max(20),
  expiresAt: z.string().max(40),
});
const me = z.object({
  userId: z.string(),
  publicKey: z.string(),
  families: z.array(summary).max(1000),
});
const family = z.object({ id: z.string().uuid(), name: z.string().max(200), role });
const domain = z.object({
  id: z.string().uuid(),
  name: z.string().max(300),
  domainType: z.enum(['traditional', 'pubky']),
  sovereigntyScore: z.number().int().min(0).max(100),
  publicKey: z.string().max(60).nullable(),
  /** The label the registering device gave the key ('' when none). */
  label: z.string().max(200).nullable(),
  pubkyDomainId: z.string().uuid().nullable(),
  packetTimestamp: z.string().max(20).nullable(),
  holders: z.array(z.string().uuid()).max(1000),
});
export type ServerFamilyDomain = z.infer<typeof domain>;
const keyShare = z.object({
  keyShareId: z.string().uuid(),
  familyId: z.string().uuid(),
  familyName: z.string().max(200),
  domainRecordId: z.string().uuid(),
  domainName: z.string().max(300),
  publicKey: z.string().max(60),
  senderId: z.string().uuid(),
  senderName: z.string().max(200),
  senderPublicKey: z.string().max(60).nullable(),
  sealed: z.string().max(6000),
  createdAt: z.string().max(40),
});
export type ServerKeyShare = z.infer<typeof keyShare>;
const recoveryView = z.object({
  recoveryId: z.string().uuid(),
  familyId: z.string().uuid(),
  publicKey: z.string().max(60),
  ephemeralPublicKey: z.string().max(60),
  status: z.enum(['waiting', 'completed', 'cancelled']),
  releaseAt: z.string().max(40),
  threshold: z.number().int().min(1).max(255),
  approvals: z.number().int().min(0),
  approvedByOwner: z.boolean(),
  frozenUntil: z.string().max(40).nullable(),
  released: z.boolean(),
});
export type ServerRecovery = z.infer<typeof recoveryView>;

export class FamilyClient {
  constructor(
    private readonly session: ServerSession,
    private readonly vault: KeyVault,
    private readonly server: () => string,
  ) {}

  private async request<T>(
    schema: z.ZodType<T>,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await serverRequest(this.server(), method, path, {
      body,
      token: await this.session.accessToken(),
      unreachable:
        'The companion server does not answer. Family changes need it; everything on this computer keeps working.',
    });
    const parsed = response.body;
    if (response.status === 401)
      throw new AppError('NOT_SIGNED_IN', 'The companion server wants you to sign in again.');
    if (response.status < 200 || response.status > 299) {
      const message = z
        .object({ error: z.object({ message: z.string().max(500) }) })
        .safeParse(parsed);
      throw new AppError(
        'SERVER_REFUSED',
        message.success
          ? `The companion server refused: ${message.data.error.message}`
          : `The companion server refused (HTTP ${response.status}).`,
      );
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success)
      throw new AppError(
        'SERVER_REFUSED',
        'The companion server answered with something unexpected.',
      );
    return checked.data;
  }

  async families(): Promise<FamilySummary[]> {
    return (await this.request(me, 'GET', '/me')).families;
  }

  create(name: string): Promise<FamilySummary> {
    return this.request(summary, 'POST', '/families', { name });
  }

  async family(familyId: string): Promise<FamilyView> {
    const base = await this.request(family, 'GET', `/families/${familyId}`);
    const canRead = base.role !== 'guardian';
    const [members, invitations, domains] = canRead
      ? await Promise.all([
          this.members(familyId),
          this.request(z.array(invitation).max(1000), 'GET', `/families/${familyId}/invitations`),
          this.domains(familyId),
        ])
      : [[], [], []];
    const held = new Set(this.vault.list());
    const nameOf = new Map(
      members.map((m) => [m.userId, m.displayName ?? m.publicKey ?? 'a member']),
    );
    return {
      ...base,
      members,
      invitations: invitations as FamilyInvitation[],
      domains: domains.map((d) => ({
        id: d.id,
        name: d.label || d.name,
        publicKey: d.publicKey,
        score: d.sovereigntyScore,
        published: d.packetTimestamp !== null,
        heldHere: d.publicKey !== null && held.has(d.publicKey),
        holders: d.holders.flatMap((id) => nameOf.get(id) ?? []),
      })),
    };
  }

  /** The family's domains as the server lists them (ids, keys, holders). */
  domains(familyId: string): Promise<ServerFamilyDomain[]> {
    return this.request(z.array(domain).max(10_000), 'GET', `/families/${familyId}/domains`);
  }

  members(familyId: string): Promise<FamilyMember[]> {
    return this.request(
      z.array(member).max(1000),
      'GET',
      `/families/${familyId}/members`,
    ) as Promise<FamilyMember[]>;
  }

  /**
   * Records a migration of a family domain this person owns; undefined when the key is no family
   * domain of theirs (or they are not signed in): the migration then runs on this device alone.
   */
  async createMigration(
    publicKey: string,
    direction: 'dns_to_pubky' | 'pubky_to_dns',
    plan: { zone: string; records: number; planned: string[] },
  ): Promise<string | undefined> {
    if (this.session.view().state !== 'signed-in') return undefined;
    for (const family of await this.families()) {
      if (family.role !== 'owner') continue;
      const domain = (await this.domains(family.id)).find((d) => d.publicKey === publicKey);
      if (!domain) continue;
      const created = await this.request(
        z.object({ id: z.string().uuid() }),
        'POST',
        `/domains/${domain.id}/migrations`,
        { direction, plan },
      );
      return created.id;
    }
    return undefined;
  }

  async moveMigration(migrationId: string, status: string, error: string | null): Promise<void> {
    await this.request(z.unknown(), 'PATCH', `/migrations/${migrationId}`, {
      status,
      ...(error ? { error: error.slice(0, 2000) } : {}),
    });
  }

  // Guardians (docs/guardians.md): the family's side, the guardian's side, the new machine's.

  guardians(familyId: string) {
    return this.request(
      z
        .array(
          z.object({
            guardianId: z.string().uuid(),
            userId: z.string().uuid(),
            publicKey: z.string().max(60),
            displayName: z.string().max(200),
            backupStatus: z.string().max(20),
          }),
        )
        .max(255),
      'GET',
      `/families/${familyId}/guardians`,
    );
  }

  backups(familyId: string) {
    return this.request(
      z
        .array(
          z.object({
            backupId: z.string().uuid(),
            publicKey: z.string().max(60),
            threshold: z.number().int(),
            shareCount: z.number().int(),
            acknowledged: z.number().int(),
            status: z.string().max(20),
            createdAt: z.string().max(40),
            reshareNeededSince: z.string().max(40).nullable(),
          }),
        )
        .max(10_000),
      'GET',
      `/families/${familyId}/backups`,
    );
  }

  createBackup(familyId: string, body: unknown) {
    return this.request(
      z.object({ backupId: z.string().uuid() }).passthrough(),
      'POST',
      `/families/${familyId}/backups`,
      body,
    );
  }

  familyRecoveries(familyId: string) {
    return this.request(
      z.object({
        recoveryWaitSeconds: z.number().int().min(0),
        recoveries: z.array(recoveryView).max(1000),
        freezes: z
          .array(
            z.object({
              guardianId: z.string().uuid(),
              publicKey: z.string().max(60),
              frozenUntil: z.string().max(40),
            }),
          )
          .max(255),
      }),
      'GET',
      `/families/${familyId}/recoveries`,
    );
  }

  async answerRecovery(
    familyId: string,
    recoveryId: string,
    answer: 'cancel' | 'approve',
  ): Promise<void> {
    await this.request(
      z.unknown(),
      'POST',
      `/families/${familyId}/recoveries/${recoveryId}/${answer}`,
      {},
    );
  }

  async setRecoveryWait(familyId: string, seconds: number): Promise<void> {
    await this.request(z.unknown(), 'PUT', `/families/${familyId}/recovery-wait`, {
      recoveryWaitSeconds: seconds,
    });
  }

  guardedShares() {
    return this.request(
      z
        .array(
          z.object({
            backupId: z.string().uuid(),
            familyId: z.string().uuid(),
            familyName: z.string().max(200),
            publicKey: z.string().max(60),
            threshold: z.number().int().min(1).max(255),
            shareCount: z.number().int(),
            encryptedShare: z.string().max(6000),
            acknowledgedAt: z.string().max(40).nullable(),
            commitment: z.string().max(64).nullable(),
            commitmentSignature: z.string().max(100).nullable(),
            commitments: z
              .array(
                z.object({
                  guardianKey: z.string().max(60),
                  commitment: z.string().max(64).nullable(),
                }),
              )
              .max(255),
          }),
        )
        .max(1000),
      'GET',
      '/guardian/shares',
    );
  }

  async acknowledgeShare(backupId: string): Promise<void> {
    await this.request(z.unknown(), 'POST', `/guardian/shares/${backupId}/acknowledge`, {});
  }

  guardedRecoveries() {
    return this.request(
      z
        .array(recoveryView.extend({ familyName: z.string().max(200), approved: z.boolean() }))
        .max(1000),
      'GET',
      '/guardian/recoveries',
    );
  }

  async sendRecoveryShare(recoveryId: string, sealed: Uint8Array): Promise<void> {
    await this.request(z.unknown(), 'POST', `/guardian/recoveries/${recoveryId}/share`, {
      sealed: Buffer.from(sealed).toString('base64'),
    });
  }

  freeze(familyId: string, seconds: number) {
    return this.request(
      z.object({ frozenUntil: z.string().max(40) }),
      'POST',
      `/guardian/families/${familyId}/freeze`,
      { seconds },
    );
  }

  askRecovery(publicKey: string) {
    return this.request(recoveryView, 'POST', '/recoveries', { publicKey });
  }

  recovery(recoveryId: string) {
    return this.request(
      recoveryView.extend({
        commitmentSignature: z.string().max(100).nullable(),
        shares: z
          .array(
            z.object({
              guardianKey: z.string().max(60),
              commitment: z.string().max(64).nullable(),
              sealed: z.string().max(6000).optional(),
            }),
          )
          .max(255),
      }),
      'GET',
      `/recoveries/${recoveryId}`,
    );
  }

  async completeRecovery(recoveryId: string): Promise<void> {
    await this.request(z.unknown(), 'POST', `/recoveries/${recoveryId}/complete`, {});
  }

  /** Facts the server cannot see (a recovery file saved, the homeserver chosen) for the score. */
  async reportFacts(
    domainId: string,
    facts: { recoveryExported?: true; homeserver?: { publicKey: string; selfHosted: boolean } },
  ): Promise<void> {
    await this.request(z.unknown(), 'POST', `/domains/${domainId}/facts`, facts);
  }

  /** Posts a domain key already sealed (in the vault) to the member `recipientId`. */
  async shareKey(domainId: string, recipientId: string, sealed: Uint8Array): Promise<void> {
    await this.request(z.unknown(), 'POST', `/domains/${domainId}/key-shares`, {
      recipientId,
      sealed: Buffer.from(sealed).toString('base64'),
    });
  }

  /** Domain keys other members' devices shared with this person, waiting for an answer. */
  keyShares(): Promise<ServerKeyShare[]> {
    return this.request(z.array(keyShare).max(1000), 'GET', '/key-shares');
  }

  async answerKeyShare(keyShareId: string, accepted: boolean): Promise<void> {
    await this.request(
      z.unknown(),
      'POST',
      `/key-shares/${keyShareId}/${accepted ? 'accept' : 'decline'}`,
      {},
    );
  }

  invite(familyId: string, publicKey: string, inviteRole: string, displayName?: string) {
    return this.request(
      invitation.partial().passthrough(),
      'POST',
      `/families/${familyId}/members`,
      {
        publicKey,
        role: inviteRole,
        ...(displayName ? { displayName } : {}),
      },
    );
  }

  revokeInvitation(familyId: string, invitationId: string) {
    return this.request(z.unknown(), 'DELETE', `/families/${familyId}/invitations/${invitationId}`);
  }

  changeRole(familyId: string, userId: string, newRole: string) {
    return this.request(z.unknown(), 'PATCH', `/families/${familyId}/members/${userId}`, {
      role: newRole,
    });
  }

  removeMember(familyId: string, userId: string) {
    return this.request(z.unknown(), 'DELETE', `/families/${familyId}/members/${userId}`);
  }

  /**
   * Registers a key this device holds as a domain of the family. The server wants proof of holding
   * it: a fresh challenge signed, in the vault, by the domain key over the server and the family.
   */
  async registerDomain(familyId: string, publicKey: string, label: string): Promise<void> {
    const challenge = await this.request(
      z.object({ nonce: z.string().min(32).max(128) }),
      'POST',
      '/auth/challenge',
      {
        publicKey,
      },
    );
    const signature = this.vault.sign(
      publicKey,
      domainProofMessage(new URL(this.server()).origin, familyId, challenge.nonce, publicKey),
    );
    await this.request(z.unknown(), 'POST', `/families/${familyId}/domains`, {
      publicKey,
      ...(label ? { label } : {}),
      custody: 'os-keychain',
      proof: { nonce: challenge.nonce, signature: Buffer.from(signature).toString('base64') },
    });
  }

  async score(domainId: string): Promise<ScoreView> {
    const factor = z.object({
      key: z.enum([
        'provider_independence',
        'key_ownership',
        'censorship_resistance',
        'privacy',
        'portability',
      ]),
      points: z.number().int().min(0).max(20),
      max: z.literal(20),
      reasons: z.array(z.object({ code: z.string().max(80), points: z.number().int() })).max(20),
    });
    const answer = await this.request(
      z.object({
        score: z.number().int().min(0).max(100),
        computedAt: z.string().max(40),
        breakdown: z.object({ total: z.number().int(), factors: z.array(factor).length(5) }),
        history: z
          .array(
            z.object({ score: z.number().int().min(0).max(100), computedAt: z.string().max(40) }),
          )
          .max(1000),
      }),
      'GET',
      `/domains/${domainId}/score`,
    );
    return { domainId, ...answer };
  }

  async invitations(): Promise<FamilyInvitation[]> {
    return (await this.request(
      z.array(invitation).max(1000),
      'GET',
      '/invitations',
    )) as FamilyInvitation[];
  }

  /** Accepts with a signature of this device's signed-in key over exactly this invitation. */
  async accept(invitationId: string): Promise<void> {
    const view = this.session.view();
    if (view.state !== 'signed-in') throw new AppError('NOT_SIGNED_IN', 'Sign in first.');
    const open = (await this.invitations()).find((i) => i.invitationId === invitationId);
    if (!open) throw new AppError('SERVER_REFUSED', 'This invitation is no longer open.');
    const signature = this.vault.sign(
      view.publicKey,
      invitationAcceptMessage(
        new URL(this.server()).origin,
        open.invitationId,
        open.familyId,
        open.role,
        view.publicKey,
      ),
    );
    await this.request(z.unknown(), 'POST', `/invitations/${invitationId}/accept`, {
      signature: Buffer.from(signature).toString('base64'),
    });
  }

  async decline(invitationId: string): Promise<void> {
    await this.request(z.unknown(), 'POST', `/invitations/${invitationId}/decline`, {});
  }
}
