// The renderer's only door to main: the contract the preload exposes, with failures thrown as
// IpcFailure (code + a sentence for people) so async-state hooks see them as errors.
import type {
  IpcChannel,
  IpcErrorCode,
  IpcEventName,
  IpcEvents,
  IpcRequest,
  IpcResponse,
  PubkyApi,
} from '../../src-shared/ipc';

declare global {
  interface Window {
    readonly api: PubkyApi;
  }
}

export class IpcFailure extends Error {
  override name = 'IpcFailure';
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export async function call<C extends IpcChannel>(
  channel: C,
  request: IpcRequest<C>,
): Promise<IpcResponse<C>> {
  const result = await window.api.invoke(channel, request);
  if (!result.ok) throw new IpcFailure(result.error.code, result.error.message);
  return result.value;
}

export function onMainEvent<E extends IpcEventName>(
  event: E,
  listener: (payload: IpcEvents[E]) => void,
): () => void {
  return window.api.on(event, listener);
}

/** The sentence to show for a failure of any kind. */
export function messageOf(error: unknown): string {
  if (error instanceof IpcFailure) return error.message;
  return 'Something went wrong in the app. Try again; if it keeps happening, export diagnostics from Settings.';
}
