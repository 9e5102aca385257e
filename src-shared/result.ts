// The one error shape that crosses process boundaries (IPC replies, HTTP bodies): a stable code
// the UI can branch on and a message a person can read. Never a stack, never secret material.
export type Result<T, C extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: C; readonly message: string } };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

export const err = <C extends string>(code: C, message: string): Result<never, C> => ({
  ok: false,
  error: { code, message },
});

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
