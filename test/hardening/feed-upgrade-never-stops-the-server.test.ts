// Issue 17, item 1 and acceptance 2: nothing sent to the feed port stops the server. One hostile
// upgrade once took down the API, the relay and the feed (an unowned rejection); here a real
// `server/main.ts` process takes that request and then a fuzzed stream of upgrades and frames,
// and keeps answering /healthz.
import { connect } from 'node:net';
import fc from 'fast-check';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { signIn } from '../support/api-client';
import { startServerProcess } from '../support/server-process';

const server = await startServerProcess();
const user = await signIn(server.base);
const feedPort = Number(new URL(server.feedUrl).port);

/** Sends raw bytes to the feed port and resolves with what came back when the peer closes. */
function rawRequest(bytes: string | Buffer, waitMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(feedPort, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(bytes));
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    socket.on('close', done);
    setTimeout(done, waitMs);
  });
}

const upgrade = (target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

describe('the feed port against hostile clients', () => {
  it('an upgrade whose request target is not a URL closes that socket, and the server keeps serving', async () => {
    await rawRequest(upgrade('//x:99999'));
    await rawRequest(upgrade(`//x:99999?token=${user.accessToken}`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.alive()).toBe(true);
    expect(await server.healthz()).toBe(200);
  });

  it('fuzzed upgrades, headers, query strings and frames before and after sign-in never stop it', async () => {
    const target = fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => s.replace(/[\r\n ]/g, '')),
      fc.constantFrom('//x:99999', '/?token=', '/?since=-1', '/?since=1e400', '/%', '//[::1', '*'),
      fc
        .record({
          token: fc.oneof(fc.constant(user.accessToken), fc.string({ maxLength: 300 })),
          since: fc.oneof(fc.string(), fc.integer().map(String), fc.constant('9007199254740993')),
        })
        .map((q) => `/?token=${encodeURIComponent(q.token)}&since=${encodeURIComponent(q.since)}`),
    );
    const header = fc.tuple(
      fc.stringMatching(/^[A-Za-z-]{1,20}$/),
      fc.string({ maxLength: 100 }).map((s) => s.replace(/[\r\n]/g, '')),
    );
    const frame = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.constantFrom(
        '{"type":"subscribe","data":{"pubkyUrl":"pubky://%%%"}}',
        '{"type":"subscribe","data":{"familyId":"00000000-0000-0000-0000-000000000000"}}',
        '{"type":"subscribe","data":{"guardian":true}}',
        '{"type":"unsubscribe","data":{"guardian":true}}',
        '{"type":"auth","data":{"token":"x"}}',
        '{"type":"ping","data":{"a":[1,2,3]}}',
      ),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    );

    await fc.assert(
      fc.asyncProperty(
        target,
        fc.array(header, { maxLength: 4 }),
        fc.array(frame, { maxLength: 6 }),
        fc.boolean(),
        async (path, headers, frames, raw) => {
          if (raw) {
            const extra = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
            await rawRequest(upgrade(path.startsWith('/') ? path : `/${path}`, extra), 50);
          } else {
            // A client cannot send a fragment (the raw branch does); the rest of the query goes as is.
            const query = path.includes('?') ? path.slice(path.indexOf('?')).split('#')[0]! : '';
            const socket = new WebSocket(`${server.feedUrl}/${query}`, {
              headers: Object.fromEntries(
                headers.filter(([name]) => !/^(sec-|upgrade|connection|host)/i.test(name)),
              ),
            });
            socket.on('error', () => undefined);
            // Frames before the token is checked, then after.
            socket.on('open', () => {
              for (const f of frames.slice(0, 3)) socket.send(f);
              setTimeout(() => {
                for (const f of frames.slice(3))
                  if (socket.readyState === WebSocket.OPEN) socket.send(f);
              }, 20);
            });
            await new Promise((resolve) => setTimeout(resolve, 60));
            socket.terminate();
          }
          expect(server.alive()).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
    expect(server.alive()).toBe(true);
    expect(await server.healthz()).toBe(200);
  }, 120_000);
});
