// The typed IPC contract between the renderer and the main process. Every channel is listed here
// with the schema main uses to parse what the renderer sends (it arrives as `unknown`) and the
// type of what comes back. The preload exposes exactly this and nothing else. Replies carry
// public keys, records, statuses and encrypted files: never secret key material.
import { z } from 'zod';
import type { Result } from './result';
import { dnsRecordsSchema } from './pkarr/record-schema';
import type { DnsRecord, SizeReport } from './pkarr';
import type { BackupSummary, RecoverySummary } from './guardians/views';
import type { MigrationPlan } from './zone/migration-plan';

export type { BackupSummary, RecoverySummary } from './guardians/views';
import type { PkarrErrorCode } from './pkarr/errors';
import type { ScoreBreakdown } from './score/score-rules';
import { appSettingsSchema, type AppSettings } from './settings';

const publicKey = z.string().min(1).max(120);
/** A traditional domain's name (smith.example), as the person types it. */
export const zoneName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/,
    'Enter the domain’s name, such as smith.example',
  );

const label = z.string().max(100).default('');

export const ipcRequestSchemas = {
  'app:info': z.undefined(),
  'server:status': z.undefined(),
  'keys:list': z.undefined(),
  'domains:list': z.undefined(),
  'keys:create': z.object({ label }),
  // The new key's phrase, once, for the backup screen (main keeps it in memory until checked).
  'keys:reveal-phrase': z.object({ publicKey }),
  'keys:confirm-phrase': z.object({
    publicKey,
    answers: z
      .array(z.object({ position: z.number().int().min(1).max(12), word: z.string().max(40) }))
      .length(3),
  }),
  'keys:import-phrase': z.object({ phrase: z.string().max(400), label }),
  'passphrase:rate': z.object({ passphrase: z.string().max(1024) }),
  // Both are confirmed by the person in a native dialog main shows; the renderer only asks.
  'keys:delete': z.object({ publicKey }),
  'keys:export-recovery': z.object({ publicKey, passphrase: z.string().max(1024) }),
  'keys:import-recovery': z.object({
    file: z.instanceof(Uint8Array).refine((f) => f.length <= 4096, 'recovery file too large'),
    passphrase: z.string().max(1024),
    label,
  }),
  'records:get': z.object({ domain: publicKey }),
  'records:save': z.object({ domain: publicKey, records: dnsRecordsSchema }),
  // Before signing, main asks the network for a newer packet (another device's) and stops with
  // a conflict if there is one; `onTop` publishes anyway, newer than theirs.
  'records:publish': z.object({ domain: publicKey, onTop: z.boolean().default(false) }),
  'publish:status': z.object({ domain: publicKey }),
  'publish:retry': z.object({ domain: publicKey, target: z.string().min(1).max(300) }),
  // Takes the other device's newer packet (the conflict) as this domain's records.
  'records:adopt': z.object({ domain: publicKey }),
  // What each relay and the DHT serve now for a key (any key: Explore looks up others too).
  'network:resolve': z.object({ publicKey }),
  'network:recent': z.undefined(),
  // The companion server: who this device is signed in as (never a token), sign-in by a key.
  'session:get': z.undefined(),
  'session:sign-in': z.object({ publicKey }),
  'session:sign-out': z.undefined(),
  // The family at the companion server (signed in): families, members, roles, invitations.
  'family:list': z.undefined(),
  'family:create': z.object({ name: z.string().trim().min(1).max(200) }),
  'family:get': z.object({ familyId: z.string().uuid() }),
  'family:invite': z.object({
    familyId: z.string().uuid(),
    publicKey,
    role: z.enum(['owner', 'member', 'guardian']),
    displayName: z.string().trim().max(200).optional(),
  }),
  'family:revoke-invitation': z.object({
    familyId: z.string().uuid(),
    invitationId: z.string().uuid(),
  }),
  'family:change-role': z.object({
    familyId: z.string().uuid(),
    userId: z.string().uuid(),
    role: z.enum(['owner', 'member', 'guardian']),
  }),
  'family:remove-member': z.object({ familyId: z.string().uuid(), userId: z.string().uuid() }),
  // A key this device holds becomes a domain of the family (the proof is signed in main).
  'family:register-domain': z.object({ familyId: z.string().uuid(), publicKey }),
  // A family domain's sovereignty score, its factors and its history (from the server).
  'family:score': z.object({ domainId: z.string().uuid() }),
  // Sharing a domain key this device holds with another member's devices (sealed in main; main
  // asks the person to confirm the recipient's key before anything leaves).
  'family:share-key': z.object({
    familyId: z.string().uuid(),
    domainId: z.string().uuid(),
    userId: z.string().uuid(),
  }),
  'family:activity': z.object({ familyId: z.string().uuid() }),
  'key-shares:list': z.undefined(),
  'key-shares:accept': z.object({ keyShareId: z.string().uuid() }),
  'key-shares:decline': z.object({ keyShareId: z.string().uuid() }),
  // Moving a domain between traditional DNS and Pubky (docs/migration.md). A plan is made and
  // kept in main; starting names it, so the records published are main's, never the renderer's.
  'migrations:plan': z.object({
    domain: publicKey,
    /** The traditional name (smith.example). */
    zone: zoneName,
    source: z.discriminatedUnion('kind', [
      /** Main asks the person for the file (its open dialog) and reads it. */
      z.object({ kind: z.literal('zone-file') }),
      z.object({ kind: z.literal('zone-text'), text: z.string().max(4 * 1024 * 1024) }),
      z.object({
        kind: z.literal('pkdns-text'),
        text: z.string().max(4 * 1024 * 1024),
        externalIpv4: z.string().max(45).optional(),
        externalIpv6: z.string().max(45).optional(),
      }),
      /** Looked up live through a DNS server: the apex and the names listed. */
      z.object({
        kind: z.literal('live'),
        resolver: z.string().trim().max(60),
        names: z.array(z.string().trim().max(253)).max(50).default([]),
      }),
    ]),
    defaultTtl: z.number().int().min(0).max(2_147_483_647).default(3600),
  }),
  'migrations:start': z.object({
    planId: z.string().uuid(),
    deadlineMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
  }),
  'migrations:list': z.object({ domain: publicKey }),
  'migrations:rollback': z.object({ migrationId: z.string().uuid() }),
  'migrations:cancel': z.object({ migrationId: z.string().uuid() }),
  // Guardians (docs/guardians.md). The family's side:
  'guardians:overview': z.object({ familyId: z.string().uuid() }),
  'guardians:back-up': z.object({
    familyId: z.string().uuid(),
    publicKey,
    threshold: z.number().int().min(2).max(255),
  }),
  'guardians:set-wait': z.object({
    familyId: z.string().uuid(),
    hours: z.number().min(0).max(720),
  }),
  'guardians:answer-recovery': z.object({
    familyId: z.string().uuid(),
    recoveryId: z.string().uuid(),
    answer: z.enum(['cancel', 'approve']),
  }),
  // The guardian's side:
  'guarding:list': z.undefined(),
  'guarding:acknowledge': z.object({ backupId: z.string().uuid() }),
  'guarding:approve': z.object({ recoveryId: z.string().uuid() }),
  'guarding:freeze': z.object({ familyId: z.string().uuid(), hours: z.number().min(1).max(720) }),
  // A new machine recovering a key through its guardians:
  'recovery:start': z.object({ publicKey }),
  'recovery:status': z.undefined(),
  /** Main writes the domain's records where the person chooses (its save dialog). */
  'migrations:export': z.object({
    domain: publicKey,
    format: z.enum(['bind', 'pkdns']),
    zone: z.string().trim().max(253).default(''),
  }),
  'invitations:list': z.undefined(),
  'invitations:accept': z.object({ invitationId: z.string().uuid() }),
  'invitations:decline': z.object({ invitationId: z.string().uuid() }),
  'settings:get': z.undefined(),
  'settings:save': appSettingsSchema,
  // Main writes the report where the person chooses; the renderer gets the path only.
  'diagnostics:export': z.undefined(),
} as const;

export interface AppInfo {
  readonly name: string;
  readonly version: string;
}

export type ServerStatus =
  | {
      readonly reachable: true;
      readonly url: string;
      readonly schemaVersion: number;
      readonly latencyMs: number;
      /** Where its live feed is, when the server says. */
      readonly feedUrl?: string;
    }
  | { readonly reachable: false; readonly url: string; readonly reason: string };

export type BackupMethod = 'phrase' | 'recovery-file' | 'imported';

/** How a key was backed up, or null while it is not. */
export type BackupState = { readonly method: BackupMethod; readonly at: number } | null;

export interface KeySummary {
  readonly publicKey: string;
  readonly label: string;
  readonly backup: BackupState;
  /** True while main still holds the new key's phrase for a backup (until it is checked back). */
  readonly phraseAvailable: boolean;
}

export interface RevealedPhrase {
  readonly words: readonly string[];
  /** The three positions (1-based) the person is asked to type back. */
  readonly check: readonly number[];
}

export interface PassphraseRating {
  /** 0 (guessable at once) … 4 (very strong), as zxcvbn rates it; 3 is the least accepted. */
  readonly score: 0 | 1 | 2 | 3 | 4;
  readonly acceptable: boolean;
  readonly warning: string;
  readonly suggestions: readonly string[];
}

export type PublishHealth =
  'never' | 'publishing' | 'published' | 'partial' | 'failing' | 'conflict';

export interface DomainTarget {
  readonly target: string;
  readonly state: 'pending' | 'in_flight' | 'done';
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: number;
  readonly updatedAt: number;
}

export type AttentionReason =
  | { readonly kind: 'not_backed_up' }
  | {
      readonly kind: 'target_failing';
      readonly target: string;
      readonly attempts: number;
      readonly lastError: string;
    }
  | { readonly kind: 'not_republished'; readonly since: number }
  | { readonly kind: 'conflict'; readonly timestamp: number };

/** A domain as Home lists it. */
export interface DomainSummary {
  readonly publicKey: string;
  readonly label: string;
  /** Whether this device holds the domain's key. */
  readonly held: boolean;
  readonly backup: BackupState;
  readonly recordCount: number;
  /** When this app last stored a signed packet for it (ms), and that packet's timestamp (µs). */
  readonly lastPublishedAt: number | null;
  readonly packetTimestamp: number | null;
  readonly unpublishedChanges: boolean;
  readonly health: PublishHealth;
  readonly targets: readonly DomainTarget[];
  readonly attention: readonly AttentionReason[];
}

export interface DomainRecords {
  readonly domain: string;
  readonly drafts: readonly DnsRecord[];
  readonly published: { readonly timestamp: number; readonly records: readonly DnsRecord[] } | null;
  readonly size: SizeReport;
  /** A newer packet another device published, waiting beside the drafts for a decision. */
  readonly conflict: {
    readonly timestamp: number;
    readonly records: readonly DnsRecord[];
    readonly foundAt: number;
    /** Where it was found: a relay URL, 'dht', or 'republish' (a routine check). */
    readonly source: string;
  } | null;
}

export type TargetAnswer =
  | {
      readonly target: string;
      readonly state: 'found';
      readonly timestamp: number;
      readonly records: readonly DnsRecord[];
      readonly latencyMs: number;
    }
  | { readonly target: string; readonly state: 'not_found'; readonly latencyMs: number }
  | {
      readonly target: string;
      readonly state: 'error';
      readonly detail: string;
      readonly latencyMs: number;
    };

/** What the network serves for a key, target by target, read now. */
export interface NetworkView {
  readonly publicKey: string;
  readonly answers: readonly TargetAnswer[];
  readonly at: number;
}

export type FamilyRole = 'owner' | 'member' | 'guardian';

export interface FamilySummary {
  readonly id: string;
  readonly name: string;
  /** This person's role in it. */
  readonly role: FamilyRole;
}

export interface FamilyMember {
  readonly userId: string;
  readonly displayName: string | null;
  readonly publicKey: string | null;
  readonly role: FamilyRole;
}

export interface FamilyInvitation {
  readonly invitationId: string;
  readonly familyId: string;
  readonly familyName: string;
  readonly publicKey: string;
  readonly role: FamilyRole;
  readonly displayName: string | null;
  readonly status: string;
  readonly expiresAt: string;
}

export interface FamilyDomain {
  readonly id: string;
  readonly name: string;
  readonly publicKey: string | null;
  readonly score: number;
  readonly published: boolean;
  /** Whether this device holds the key (elsewhere the domain is read-only here). */
  readonly heldHere: boolean;
  /** The members whose devices hold the key (their names, or their keys when unnamed). */
  readonly holders: readonly string[];
}

/** A domain key another member's device shared with this person, waiting for an answer. */
export interface KeyShareOffer {
  readonly keyShareId: string;
  readonly familyId: string;
  readonly familyName: string;
  readonly domainId: string;
  readonly domainName: string;
  readonly publicKey: string;
  readonly senderName: string;
  readonly senderPublicKey: string | null;
  readonly createdAt: string;
}

/** A plan main made and keeps, for the person to read and start (docs/migration.md). */
export type PlanView = MigrationPlan & { readonly planId: string; readonly domain: string };

export interface GuardiansOverview {
  readonly guardians: readonly {
    readonly guardianId: string;
    readonly publicKey: string;
    readonly displayName: string;
    readonly backupStatus: string;
  }[];
  readonly backups: readonly BackupSummary[];
  readonly recoveries: readonly RecoverySummary[];
  readonly freezes: readonly { readonly publicKey: string; readonly frozenUntil: string }[];
  /** How long a recovery waits before shares are released. */
  readonly recoveryWaitHours: number;
}

export interface GuardingView {
  readonly shares: readonly {
    readonly backupId: string;
    readonly familyId: string;
    readonly familyName: string;
    readonly publicKey: string;
    readonly threshold: number;
    readonly shareCount: number;
    readonly acknowledgedAt: string | null;
    /** What is wrong with the share this guardian holds, checked in its vault; null: sound. */
    readonly problem: string | null;
  }[];
  readonly recoveries: readonly (RecoverySummary & {
    readonly familyName: string;
    readonly approved: boolean;
  })[];
}

export type RecoveryState =
  | { readonly state: 'none' }
  | { readonly state: 'waiting'; readonly recovery: RecoverySummary }
  | { readonly state: 'cancelled'; readonly recovery: RecoverySummary }
  | {
      readonly state: 'recovered';
      readonly publicKey: string;
      readonly badGuardians: readonly string[];
    };

export interface MigrationView {
  readonly id: string;
  readonly domain: string;
  readonly zone: string;
  readonly direction: 'dns_to_pubky' | 'pubky_to_dns';
  readonly status:
    'pending' | 'in_progress' | 'verifying' | 'completed' | 'failed' | 'cancelled' | 'rolled_back';
  readonly planned: readonly DnsRecord[];
  readonly previous: readonly DnsRecord[];
  readonly rollbackRequested: boolean;
  readonly error: string | null;
  readonly steps: readonly {
    readonly at: number;
    readonly status: string;
    readonly detail: string;
  }[];
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Whether the family's server keeps a copy (its other devices follow it). */
  readonly shared: boolean;
}

/** Something that happened in a family while this device followed it (or caught up on). */
export interface ActivityEntry {
  /** The feed's position: entries are ordered by it and never repeat. */
  readonly seq: number;
  readonly familyId: string;
  readonly kind: string;
  readonly op: string;
  /** The domain it concerns (public key), when it concerns one. */
  readonly domain: string | null;
  /** A packet's records, for a publish (shown as what changed from the one before). */
  readonly records: readonly DnsRecord[] | null;
  readonly packetTimestamp: number | null;
  readonly score: number | null;
  readonly at: number;
}

/** A domain's score as the server's triggers computed it, with its history (oldest first). */
export interface ScoreView {
  readonly domainId: string;
  readonly score: number;
  readonly computedAt: string;
  readonly breakdown: ScoreBreakdown;
  readonly history: readonly { readonly score: number; readonly computedAt: string }[];
}

export interface FamilyView extends FamilySummary {
  /** Empty for a guardian, who sees only its own shares. */
  readonly members: readonly FamilyMember[];
  readonly invitations: readonly FamilyInvitation[];
  readonly domains: readonly FamilyDomain[];
}

/** Who this device is signed in as at its companion server: no token ever crosses to here. */
export type SessionView =
  | { readonly state: 'signed-out'; readonly server: string }
  | {
      readonly state: 'signed-in';
      readonly server: string;
      readonly publicKey: string;
      readonly userId: string;
    };

export interface SettingsView {
  readonly settings: AppSettings;
  readonly defaults: AppSettings;
  /** Whether the DHT node runs in this session (it may be unreachable: offline is normal). */
  readonly dhtAvailable: boolean;
}

export interface TargetStatus {
  readonly target: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly timestamp: number;
}

export interface PublishStatus {
  readonly domain: string;
  readonly targets: readonly TargetStatus[];
  readonly history: readonly {
    readonly target: string;
    readonly outcome: string;
    readonly detail: string | null;
    readonly at: number;
  }[];
}

export interface IpcResponses {
  'app:info': AppInfo;
  'server:status': ServerStatus;
  'keys:list': readonly KeySummary[];
  'domains:list': readonly DomainSummary[];
  'keys:create': KeySummary;
  'keys:reveal-phrase': RevealedPhrase;
  'keys:confirm-phrase': KeySummary;
  'keys:import-phrase': KeySummary;
  'passphrase:rate': PassphraseRating;
  'keys:delete': { readonly deleted: boolean };
  /** Main wrote the file where the person chose; its bytes never reach the renderer. */
  'keys:export-recovery':
    { readonly saved: false } | { readonly saved: true; readonly path: string };
  'keys:import-recovery': KeySummary;
  'records:get': DomainRecords;
  'records:save': DomainRecords;
  'records:publish':
    | { readonly domain: string; readonly outcome: 'queued'; readonly timestamp: number }
    | { readonly domain: string; readonly outcome: 'conflict' };
  'publish:status': PublishStatus;
  /** Whether a waiting attempt for that target was moved to now. */
  'publish:retry': { readonly retrying: boolean };
  'records:adopt': DomainRecords;
  'network:resolve': NetworkView;
  'network:recent': readonly string[];
  'session:get': SessionView;
  'session:sign-in': SessionView;
  'session:sign-out': SessionView;
  'family:list': readonly FamilySummary[];
  'family:create': FamilySummary;
  'family:get': FamilyView;
  'family:invite': { readonly invited: true };
  'family:revoke-invitation': { readonly revoked: true };
  'family:change-role': { readonly changed: true };
  'family:remove-member': { readonly removed: true };
  'family:register-domain': { readonly registered: true };
  'family:score': ScoreView;
  'family:share-key': { readonly shared: boolean };
  'family:activity': readonly ActivityEntry[];
  'key-shares:list': readonly KeyShareOffer[];
  'key-shares:accept': KeySummary;
  'key-shares:decline': { readonly declined: true };
  'guardians:overview': GuardiansOverview;
  'guardians:back-up': { readonly backupId: string } | { readonly backedUp: false };
  'guardians:set-wait': { readonly hours: number };
  'guardians:answer-recovery': { readonly answered: boolean };
  'guarding:list': GuardingView;
  'guarding:acknowledge': { readonly acknowledged: true };
  'guarding:approve': { readonly approved: boolean };
  'guarding:freeze': { readonly frozenUntil: string };
  'recovery:start': RecoveryState;
  'recovery:status': RecoveryState;
  'migrations:plan': PlanView;
  'migrations:start': MigrationView | { readonly started: false };
  'migrations:list': readonly MigrationView[];
  'migrations:rollback': MigrationView;
  'migrations:cancel': MigrationView;
  'migrations:export': { readonly saved: false } | { readonly saved: true; readonly path: string };
  'invitations:list': readonly FamilyInvitation[];
  'invitations:accept': { readonly accepted: true };
  'invitations:decline': { readonly declined: true };
  'settings:get': SettingsView;
  'settings:save': SettingsView;
  'diagnostics:export': { readonly saved: false } | { readonly saved: true; readonly path: string };
}

export type IpcChannel = keyof typeof ipcRequestSchemas;
export type IpcRequest<C extends IpcChannel> = z.input<(typeof ipcRequestSchemas)[C]>;
export type IpcParsedRequest<C extends IpcChannel> = z.output<(typeof ipcRequestSchemas)[C]>;
export type IpcResponse<C extends IpcChannel> = IpcResponses[C];

/** What main's own code refuses with (AppError); the renderer branches on these. */
export type AppErrorCode =
  | 'KEY_NOT_FOUND'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'CONFIRMATION_MISMATCH'
  | 'WEAK_PASSPHRASE'
  | 'WRONG_PASSPHRASE'
  | 'INVALID_RECOVERY_FILE'
  | 'INVALID_PHRASE'
  | 'PHRASE_UNAVAILABLE'
  | 'PHRASE_MISMATCH'
  | 'NO_CONFLICT'
  | 'SERVER_UNREACHABLE'
  | 'SIGN_IN_REFUSED'
  | 'NOT_SIGNED_IN'
  | 'SERVER_REFUSED'
  | 'PACKET_TOO_LARGE'
  | 'INVALID_KEY_SHARE'
  | 'INVALID_ZONE_FILE'
  | 'INVALID_DNS_SERVER'
  | 'NO_TARGETS'
  | 'NOT_FOUND'
  | 'MIGRATION_RUNNING'
  | 'MIGRATION_STATE'
  | 'INVALID_BACKUP'
  | 'NOT_ENOUGH_SHARES';

/** Every code an IPC reply can carry: the dispatcher's, main's, and the PKARR codec's. */
export type IpcErrorCode =
  | 'UNKNOWN_CHANNEL'
  | 'UNTRUSTED_SENDER'
  | 'INVALID_REQUEST'
  | 'INTERNAL'
  | AppErrorCode
  | PkarrErrorCode;

export type IpcResult<C extends IpcChannel> = Result<IpcResponse<C>, IpcErrorCode>;

/**
 * What main pushes to the renderer, as it happens: the renderer never polls for what main knows.
 * Payloads are public (keys, targets, states, reasons).
 */
export interface IpcEvents {
  /** A target's state for one packet of a domain changed. */
  'publish:progress': {
    readonly domain: string;
    /** The packet's timestamp (µs). */
    readonly timestamp: number;
    readonly target: string;
    readonly state: 'queued' | 'sending' | 'stored' | 'retrying' | 'superseded';
    readonly detail: string | null;
    readonly attempts: number;
    readonly at: number;
    readonly latencyMs?: number;
    readonly nextAttemptAt?: number;
  };
  /** A domain's records, packet or outbox changed (Home and the domain screens refresh). */
  'domains:changed': { readonly domains: readonly string[] };
  /** Keys were added, removed or backed up. */
  'keys:changed': { readonly publicKey: string };
  /** This device signed in to or out of its companion server (or the server ended the session). */
  'session:changed': SessionView;
  /** Something of a family changed at the server (live feed), or this person's access ended. */
  'family:changed': { readonly familyId: string; readonly kind: string };
  /** A migration moved a step (or was asked to roll back). */
  'migration:changed': MigrationView;
}
export type IpcEventName = keyof IpcEvents;
export const ipcEventNames: readonly IpcEventName[] = [
  'publish:progress',
  'domains:changed',
  'keys:changed',
  'session:changed',
  'family:changed',
  'migration:changed',
];
export function isIpcEventName(value: unknown): value is IpcEventName {
  return typeof value === 'string' && (ipcEventNames as readonly string[]).includes(value);
}

/** What the preload puts on `window.api`. */
export interface PubkyApi {
  invoke<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResult<C>>;
  /** Listens to one of main's events; returns the function that stops listening. */
  on<E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}

export const ipcChannels = Object.keys(ipcRequestSchemas) as readonly IpcChannel[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(ipcRequestSchemas, value);
}
