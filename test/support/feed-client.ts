// A test client for the live feed: collects every frame and waits for conditions on them.
import WebSocket from 'ws';

export interface TestFeedClient {
  readonly socket: WebSocket;
  readonly frames: {
    type: string;
    seq?: number;
    familyId?: string;
    data?: Record<string, unknown>;
  }[];
  readonly closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function connectFeed(
  url: string,
  token: string | undefined,
  since?: number,
): Promise<TestFeedClient> {
  const query = new URLSearchParams();
  if (token !== undefined) query.set('token', token);
  if (since !== undefined) query.set('since', String(since));
  const socket = new WebSocket(`${url}/?${query}`);
  const frames: TestFeedClient['frames'] = [];
  // The feed speaks JSON in text frames (a browser would get a binary frame as a Blob): a binary
  // frame is recorded as a violation every frame-checking test then trips over.
  socket.on('message', (raw, isBinary) =>
    frames.push(
      isBinary ? { type: 'protocol_violation', data: 'binary frame' } : JSON.parse(raw.toString()),
    ),
  );
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve) => {
    socket.once('open', () => resolve());
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  return {
    socket,
    frames,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline)
          throw new Error(`condition not met; frames: ${JSON.stringify(frames.slice(-5))}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () => socket.close(),
  };
}
