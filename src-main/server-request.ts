// One JSON request to the companion server, with a deadline: the answer's status and its body
// parsed as JSON (undefined when it is not JSON; callers check the shape). A server that does
// not answer is SERVER_UNREACHABLE with the caller's sentence.
import { AppError } from './errors';

const REQUEST_TIMEOUT_MS = 10_000;

export async function serverRequest(
  server: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; unreachable: string },
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(new URL(path, server), {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    throw new AppError('SERVER_UNREACHABLE', options.unreachable);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  } catch {
    return { status: response.status, body: undefined };
  }
}
