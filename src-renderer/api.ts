// The renderer's only door to the main process: the contract the preload exposes.
import type { IpcChannel, IpcRequest, IpcResult, PubkyApi } from '../src-shared/ipc';

declare global {
  interface Window {
    readonly api: PubkyApi;
  }
}

export function invoke<C extends IpcChannel>(
  channel: C,
  request: IpcRequest<C>,
): Promise<IpcResult<C>> {
  return window.api.invoke(channel, request);
}
