// Issue 20: the app signs in to its companion server with one of its keys. Main signs the
// challenge in the vault; the refresh token lives only in the OS keychain, the access token only
// in main's memory; the renderer's replies and events say who is signed in and never carry a
// token; tokens are refreshed ahead of expiry; signing out ends the session on the server too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../src-main/custody/secret-store';
import { createDispatch } from '../../src-main/ipc/dispatch';
import type { IpcChannel, IpcRequest, IpcResult } from '../../src-shared/ipc';
import { startMainServices } from '../../src-main/services';
import { freshDatabase } from '../support/database';
import { migrate } from '../../server/db/migrate';
import { call } from '../support/api-client';
import { listenApp } from '../support/api-server';
import { PersonDialogs } from '../support/person-dialogs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const db = await freshDatabase();
await migrate(db.pool);
// Access tokens that live 30 s: every use is within the refresh margin, so each one refreshes.
const { app, base } = await listenApp({ pool: db.pool }, { accessSeconds: 30 });
const dir = mkdtempSync(join(tmpdir(), 'pubky-sign-in-'));
const service = `pubky-domains-sign-in-${process.pid}`;
const main = await startMainServices({
  dataDir: dir,
  version: 'test',
  serverUrl: () => base,
  relays: [],
  dhtBootstrap: null,
  keychainService: service,
  dialogs: new PersonDialogs(),
});
afterAll(async () => {
  for (const key of main.vault.list()) main.vault.delete(key, key);
  await main.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});
const dispatch = createDispatch(main.handlers);
const replies: string[] = [];
const events: string[] = [];
main.events.subscribe((event, payload) => events.push(JSON.stringify({ event, payload })));
async function ask<C extends IpcChannel>(channel: C, payload: IpcRequest<C>) {
  const reply = (await dispatch(channel, payload)) as IpcResult<C>;
  replies.push(JSON.stringify(reply));
  return reply;
}
async function value<C extends IpcChannel>(channel: C, payload: IpcRequest<C>) {
  const reply = await ask(channel, payload);
  if (!reply.ok) throw new Error(`${channel}: ${reply.error.code}`);
  return reply.value;
}
const keychain = osKeychain(service);
const account = `session:${new URL(base).origin}`;
const refreshTokenInKeychain = () => {
  const bytes = keychain.get(account);
  return bytes ? new TextDecoder().decode(bytes) : null;
};

describe('signing in from the app', () => {
  it('signs in as a key of this device; the refresh token is only in the keychain', async () => {
    expect(await value('session:get', undefined)).toEqual({ state: 'signed-out', server: base });
    const key = (await value('keys:create', { label: 'me' })).publicKey;
    const signedIn = await value('session:sign-in', { publicKey: key });
    expect(signedIn).toMatchObject({ state: 'signed-in', server: base, publicKey: key });
    if (signedIn.state !== 'signed-in') throw new Error('not signed in');
    const refreshToken = refreshTokenInKeychain();
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // The server knows this device as that key.
    const token = await main.session.accessToken();
    const me = await call(base, 'GET', '/me', { token });
    expect(me.body).toMatchObject({ publicKey: key, userId: signedIn.userId });
    expect(events.some((e) => e.includes('"session:changed"') && e.includes('signed-in'))).toBe(
      true,
    );
  });

  it('refreshes ahead of expiry, rotating the refresh token in the keychain', async () => {
    const before = refreshTokenInKeychain();
    const first = await main.session.accessToken();
    const second = await main.session.accessToken();
    expect(second).not.toBe(first);
    expect(refreshTokenInKeychain()).not.toBe(before);
    expect((await call(base, 'GET', '/me', { token: second })).status).toBe(200);
  });

  it('signs out: the server ends the refresh token, the keychain and memory forget it', async () => {
    const refreshToken = refreshTokenInKeychain()!;
    expect(await value('session:sign-out', undefined)).toEqual({
      state: 'signed-out',
      server: base,
    });
    expect(refreshTokenInKeychain()).toBeNull();
    expect((await call(base, 'POST', '/auth/refresh', { body: { refreshToken } })).status).toBe(
      401,
    );
    await expect(main.session.accessToken()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });

  it('says so at once when the server is away, and keeps working', async () => {
    const { settings } = await value('settings:get', undefined);
    await value('settings:save', { ...settings, serverUrl: 'http://127.0.0.1:9' });
    const key = (await value('keys:list', undefined))[0]!.publicKey;
    const away = await ask('session:sign-in', { publicKey: key });
    expect(away).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
    expect(!away.ok && away.error.message).toContain('keeps working');
    expect((await ask('domains:list', undefined)).ok).toBe(true);
    await value('settings:save', { ...settings, serverUrl: base });
  });

  it('no reply, event or local file carries a token', async () => {
    const key = (await value('keys:list', undefined))[0]!.publicKey;
    await value('session:sign-in', { publicKey: key });
    const refreshToken = refreshTokenInKeychain()!;
    const accessToken = await main.session.accessToken();
    const sqlite = Buffer.concat(
      ['pubky-domains.sqlite', 'pubky-domains.sqlite-wal']
        .map((name) => join(dir, name))
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path)),
    );
    for (const secret of [refreshToken, accessToken, accessToken.split('.')[2]!]) {
      for (const text of [...replies, ...events]) expect(text).not.toContain(secret);
      expect(sqlite.includes(Buffer.from(secret))).toBe(false);
    }
  });
});
