// The seed's Getting Started still works: `node scripts/run_pubky_migrations.js` migrates and
// `node scripts/start_pubky_websocket.js` starts the live feed alone.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database';
import { spawnNode, waitFor } from '../support/processes';

describe("the seed's scripts", () => {
  it('run_pubky_migrations.js applies the migrations, then finds nothing to do', async () => {
    const db = await freshDatabase();
    const first = spawnNode(['scripts/run_pubky_migrations.js'], { DATABASE_URL: db.url });
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/schema now at version \d+/);
    const again = spawnNode(['scripts/run_pubky_migrations.js'], { DATABASE_URL: db.url });
    expect(await again.exited).toBe(0);
    expect(again.output()).toMatch(/nothing to do/);
  });

  it('start_pubky_websocket.js serves the feed, refuses a client without a token, stops on SIGTERM', async () => {
    const db = await freshDatabase();
    const feed = spawnNode(['scripts/start_pubky_websocket.js'], {
      DATABASE_URL: db.url,
      FEED_PORT: '0',
    });
    const url = await waitFor(
      async () => /live feed on (ws:\/\/\S+)/.exec(feed.output())?.[1],
      20_000,
    );
    const socket = new WebSocket(url);
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4401);
    feed.child.kill('SIGTERM');
    expect(await feed.exited).toBe(0);
  });
});
