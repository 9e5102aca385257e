// The typed IPC contract between the renderer and the main process. Every channel is listed here
// with the schema main uses to parse what the renderer sends (it arrives as `unknown`) and the
// type of what comes back. The preload exposes exactly this and nothing else. Replies carry
// public keys, records, statuses and encrypted files: never secret key material.
import { z } from 'zod';
import type { Result } from './result';
import { dnsRecordsSchema } from './pkarr/record-schema';
import type { DnsRecord, SizeReport } from './pkarr';
import type { PkarrErrorCode } from './pkarr/errors';

const publicKey = z.string().min(1).max(120);
const label = z.string().max(100).default('');

export const ipcRequestSchemas = {
  'app:info': z.undefined(),
  'server:status': z.undefined(),
  'keys:list': z.undefined(),
  'keys:create': z.object({ label }),
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
  'records:publish': z.object({ domain: publicKey }),
  'publish:status': z.object({ domain: publicKey }),
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
    }
  | { readonly reachable: false; readonly url: string; readonly reason: string };

export interface KeySummary {
  readonly publicKey: string;
  readonly label: string;
}

export interface DomainRecords {
  readonly domain: string;
  readonly drafts: readonly DnsRecord[];
  readonly published: { readonly timestamp: number; readonly records: readonly DnsRecord[] } | null;
  readonly size: SizeReport;
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
  'keys:create': KeySummary;
  'keys:delete': { readonly deleted: boolean };
  /** Main wrote the file where the person chose; its bytes never reach the renderer. */
  'keys:export-recovery':
    { readonly saved: false } | { readonly saved: true; readonly path: string };
  'keys:import-recovery': KeySummary;
  'records:get': DomainRecords;
  'records:save': DomainRecords;
  'records:publish': { readonly domain: string; readonly timestamp: number };
  'publish:status': PublishStatus;
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
  | 'PACKET_TOO_LARGE';

/** Every code an IPC reply can carry: the dispatcher's, main's, and the PKARR codec's. */
export type IpcErrorCode =
  | 'UNKNOWN_CHANNEL'
  | 'UNTRUSTED_SENDER'
  | 'INVALID_REQUEST'
  | 'INTERNAL'
  | AppErrorCode
  | PkarrErrorCode;

export type IpcResult<C extends IpcChannel> = Result<IpcResponse<C>, IpcErrorCode>;

/** What the preload puts on `window.api`. */
export interface PubkyApi {
  invoke<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResult<C>>;
}

export const ipcChannels = Object.keys(ipcRequestSchemas) as readonly IpcChannel[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(ipcRequestSchemas, value);
}
