// The typed IPC contract between the renderer and the main process. Every channel is listed here
// with the schema main uses to parse what the renderer sends (it arrives as `unknown`) and the
// type of what comes back. The preload exposes exactly this and nothing else.
import { z } from 'zod';
import type { Result } from './result';

export const ipcRequestSchemas = {
  'app:info': z.undefined(),
  'server:status': z.undefined(),
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

export interface IpcResponses {
  'app:info': AppInfo;
  'server:status': ServerStatus;
}

export type IpcChannel = keyof typeof ipcRequestSchemas;
export type IpcRequest<C extends IpcChannel> = z.infer<(typeof ipcRequestSchemas)[C]>;
export type IpcResponse<C extends IpcChannel> = IpcResponses[C];

export type IpcErrorCode =
  'UNKNOWN_CHANNEL' | 'UNTRUSTED_SENDER' | 'INVALID_REQUEST' | 'INTERNAL' | (string & {});

export type IpcResult<C extends IpcChannel> = Result<IpcResponse<C>, IpcErrorCode>;

/** What the preload puts on `window.api`. */
export interface PubkyApi {
  invoke<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResult<C>>;
}

export const ipcChannels = Object.keys(ipcRequestSchemas) as readonly IpcChannel[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(ipcRequestSchemas, value);
}
