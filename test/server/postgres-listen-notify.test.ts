// The harness's Postgres is a real server: LISTEN/NOTIFY round-trips, only on COMMIT.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database';

const db = await freshDatabase();

describe('real Postgres harness', () => {
  it('delivers a NOTIFY to a LISTENing connection after commit, not after rollback', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const received: string[] = [];
    listener.on('notification', (message) => received.push(message.payload ?? ''));
    await listener.query('LISTEN harness_channel');

    const client = await db.pool.connect();
    await client.query('BEGIN');
    await client.query("SELECT pg_notify('harness_channel', 'rolled back')");
    await client.query('ROLLBACK');
    await client.query("SELECT pg_notify('harness_channel', 'hello')");
    client.release();

    await expect.poll(() => received, { timeout: 5000 }).toEqual(['hello']);
    await listener.end();
  });
});
