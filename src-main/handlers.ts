// The main process's IPC handlers as a plain module: no Electron import, so tests and the
// Chromium bridge run exactly this code.
import { APP_NAME } from '../src-shared/app-info';
import type { IpcHandlers } from './ipc/dispatch';
import { checkServer } from './server-status';

export interface MainContext {
  readonly version: string;
  readonly serverUrl: () => string;
}

export function createHandlers(context: MainContext): IpcHandlers {
  return {
    'app:info': async () => ({ name: APP_NAME, version: context.version }),
    'server:status': async () => checkServer(context.serverUrl()),
  };
}
