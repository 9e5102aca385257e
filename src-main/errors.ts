// Typed errors of the main process. Each carries a stable code; describeError turns anything
// thrown into a code and a message that are safe to hand to the renderer.
import type { AppErrorCode, IpcErrorCode } from '../src-shared/ipc';
import { PkarrError } from '../src-shared/pkarr/errors';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function describeError(error: unknown): { code: IpcErrorCode; message: string } {
  if (error instanceof AppError || error instanceof PkarrError) {
    return { code: error.code, message: error.message };
  }
  return { code: 'INTERNAL', message: 'Something went wrong in the app; see the log for details.' };
}
