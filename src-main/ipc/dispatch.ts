// One entry point for every IPC call, whatever carries it (Electron's ipcMain, or the test
// bridge that wires the real renderer in Chromium to these same handlers). It refuses unknown
// channels, parses the untrusted payload, and turns every failure into a typed error reply:
// a thrown error never crosses into the renderer with its stack or its data.
import { err, ok } from '../../src-shared/result';
import {
  ipcRequestSchemas,
  isIpcChannel,
  type IpcChannel,
  type IpcParsedRequest,
  type IpcResponse,
  type IpcResult,
} from '../../src-shared/ipc';
import { describeError } from '../errors';

export type IpcHandlers = {
  readonly [C in IpcChannel]: (request: IpcParsedRequest<C>) => Promise<IpcResponse<C>>;
};

export type Dispatch = (channel: unknown, payload: unknown) => Promise<IpcResult<IpcChannel>>;

export function createDispatch(
  handlers: IpcHandlers,
  log: (line: string) => void = () => {},
): Dispatch {
  return async (channel, payload) => {
    if (!isIpcChannel(channel)) return err('UNKNOWN_CHANNEL', 'No such IPC channel.');
    const parsed = ipcRequestSchemas[channel].safeParse(payload);
    if (!parsed.success) {
      return err('INVALID_REQUEST', `Invalid request for ${channel}: ${parsed.error.message}`);
    }
    try {
      const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
      return ok(await handler(parsed.data)) as IpcResult<IpcChannel>;
    } catch (error) {
      const { code, message } = describeError(error);
      log(`ipc ${channel} failed: ${code}`);
      return err(code, message);
    }
  };
}
