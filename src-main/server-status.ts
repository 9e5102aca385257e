// Asks a companion server whether it is up, by its public /healthz.
import type { ServerStatus } from '../src-shared/ipc';

export async function checkServer(url: string, timeoutMs = 3000): Promise<ServerStatus> {
  const started = performance.now();
  try {
    const response = await fetch(new URL('/healthz', url), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return { reachable: false, url, reason: `HTTP ${response.status}` };
    const body = (await response.json()) as {
      db?: unknown;
      schemaVersion?: unknown;
      feedUrl?: unknown;
    };
    if (body.db !== 'ok' || typeof body.schemaVersion !== 'number') {
      return { reachable: false, url, reason: 'not a pubky-domains server' };
    }
    return {
      reachable: true,
      url,
      schemaVersion: body.schemaVersion,
      latencyMs: Math.round(performance.now() - started),
      ...(typeof body.feedUrl === 'string' && /^wss?:\/\//.test(body.feedUrl)
        ? { feedUrl: body.feedUrl }
        : {}),
    };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'connection failed';
    return { reachable: false, url, reason };
  }
}
