// Issue 17 item 10: the JWT signing key is the operator's (a file, generated on first start when
// absent, mode 0600), never a database row: a database backup mints no sessions. A rotation
// accepts the previous key while only the new one signs.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../server/auth/auth-service';
import { loadJwtKeys } from '../../server/auth/jwt-keys';
import { migrate } from '../../server/db/migrate';
import { freshDatabase } from '../support/database';

const dir = await mkdtemp(join(tmpdir(), 'pubky-jwt-keys-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const db = await freshDatabase();
await migrate(db.pool);

describe('JWT keys', () => {
  it('are generated into a 0600 file on first start, then read from it', async () => {
    const file = join(dir, 'nested', 'jwt-secret');
    const lines: string[] = [];
    const first = await loadJwtKeys(
      { jwtSecretFile: file, jwtPreviousSecretFile: undefined },
      (l) => lines.push(l),
    );
    expect(first.current).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(lines.join('\n')).toContain(file);
    const again = await loadJwtKeys(
      { jwtSecretFile: file, jwtPreviousSecretFile: undefined },
      () => {},
    );
    expect(Buffer.from(again.current).equals(Buffer.from(first.current))).toBe(true);
    expect(await readFile(file, 'utf8')).not.toContain(Buffer.from(first.current).toString('hex'));
  });

  it('refuse a file that holds less than 32 bytes of base64', async () => {
    for (const text of [
      '',
      'short',
      randomBytes(16).toString('base64'),
      '!!!not base64!!!'.repeat(4),
    ]) {
      const file = join(dir, `bad-${randomBytes(4).toString('hex')}`);
      await writeFile(file, text);
      await expect(
        loadJwtKeys({ jwtSecretFile: file, jwtPreviousSecretFile: undefined }, () => {}),
      ).rejects.toThrow(/JWT_SECRET_FILE/);
    }
  });

  it('sign no token the database could mint: no key table, and a token from another key is refused', async () => {
    const { rows } = await db.pool.query("SELECT to_regclass('server_secrets') AS t");
    expect(rows[0].t).toBeNull();
    const server = new AuthService(db.pool, {
      origin: 'http://127.0.0.1',
      keys: { current: randomBytes(32) },
    });
    const forger = new AuthService(db.pool, {
      origin: 'http://127.0.0.1',
      keys: { current: randomBytes(32) },
    });
    await expect(server.verify(await forger.accessToken('u', 'k'))).rejects.toThrow();
  });

  it('accept the previous key during a rotation while the new one signs', async () => {
    const old = randomBytes(32);
    const fresh = randomBytes(32);
    const before = new AuthService(db.pool, { origin: 'http://127.0.0.1', keys: { current: old } });
    const during = new AuthService(db.pool, {
      origin: 'http://127.0.0.1',
      keys: { current: fresh, previous: old },
    });
    const after = new AuthService(db.pool, {
      origin: 'http://127.0.0.1',
      keys: { current: fresh },
    });
    const issuedBefore = await before.accessToken('00000000-0000-0000-0000-000000000001', 'k');
    expect((await during.verify(issuedBefore)).userId).toBe('00000000-0000-0000-0000-000000000001');
    const issuedDuring = await during.accessToken('00000000-0000-0000-0000-000000000001', 'k');
    await expect(before.verify(issuedDuring)).rejects.toThrow();
    await expect(after.verify(issuedBefore)).rejects.toThrow();
    expect((await after.verify(issuedDuring)).publicKey).toBe('k');
  });
});
