// Secrets stay in the keychain: after a full create → edit → publish → republish → export →
// import run through the real IPC dispatch, the secret key appears nowhere else: not in any table
// or file of the SQLite store, not in any handler reply, not in the log, in any encoding.
import { Entry } from '@napi-rs/keyring';
import { createMainlineNode } from '../../src-node/mainline-node';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex, z32Encode } from '../../src-shared/pkarr';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { createDispatch } from '../../src-main/ipc/dispatch';
import { DhtClient } from '../../src-shared/publish/dht-client';
import { startMainServices } from '../../src-main/services';
import { FaultRelay } from '../support/fault-relay';
import { waitFor } from '../support/processes';
import { PersonDialogs } from '../support/person-dialogs';

const dataDir = mkdtempSync(join(tmpdir(), 'pubky-secrets-'));
const service = `pubky-domains-test-${randomBytes(4).toString('hex')}`;
const relay = await FaultRelay.start('ok');
const dhtNode = await DhtClient.start({
  createNode: createMainlineNode,
  verifier: nativeVerifier,
  bootstrap: false,
});
afterAll(async () => {
  await relay.close();
  await dhtNode.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every way the secret could be written down. */
function encodings(secret: Uint8Array): string[] {
  const buffer = Buffer.from(secret);
  return [
    toHex(secret),
    toHex(secret).toUpperCase(),
    buffer.toString('base64'),
    buffer.toString('base64url'),
    z32Encode(secret),
    JSON.stringify(Array.from(secret)).slice(1, -1),
  ];
}

const containsBytes = (haystack: Buffer, needle: Uint8Array) =>
  haystack.indexOf(Buffer.from(needle)) >= 0;

/** Replies as text, with byte arrays spelled out so they are searched too. */
const replyText = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('hex') + Array.from(v).join(',') : v,
  );

describe('no secret leaves the vault', () => {
  it('scans the store, every reply and the log after a full run', async () => {
    const logLines: string[] = [];
    const recoveryPath = join(dataDir, 'exported.pkarr');
    const person = new PersonDialogs().willSaveTo(recoveryPath).willConfirm(false);
    const services = await startMainServices({
      dialogs: person,
      dataDir,
      version: 'test',
      serverUrl: () => 'http://127.0.0.1:9',
      relays: [relay.url],
      dhtBootstrap: [`${dhtNode.address().host}:${dhtNode.address().port}`],
      keychainService: service,
      log: (line) => logLines.push(line),
    });
    const dispatch = createDispatch(services.handlers, (line) => logLines.push(line));
    const replies: unknown[] = [];
    const call = async (channel: string, payload: unknown) => {
      const reply = await dispatch(channel, payload);
      replies.push(reply);
      return reply as { ok: boolean; value: never; error?: unknown };
    };

    const created = await call('keys:create', { label: 'family' });
    expect(created.ok).toBe(true);
    const domain = (created.value as { publicKey: string }).publicKey;
    await call('records:save', {
      domain,
      records: [
        { type: 'A', name: '@', ttl: 300, address: '192.0.2.1' },
        { type: 'TXT', name: '_hello', ttl: 300, strings: ['family domain'] },
      ],
    });
    await call('records:publish', { domain });
    await waitFor(async () => {
      await services.publisher.processOutbox();
      return services.store.outboxEntries(domain).every((e) => e.state === 'done')
        ? true
        : undefined;
    }, 15_000);
    await services.republisher.runOnce();
    const exported = await call('keys:export-recovery', {
      publicKey: domain,
      passphrase: 'family passphrase',
    });
    expect(exported).toEqual({ ok: true, value: { saved: true, path: recoveryPath } });
    await call('keys:import-recovery', {
      file: new Uint8Array(readFileSync(recoveryPath)),
      passphrase: 'family passphrase',
      label: '',
    });
    await call('keys:list', undefined);
    await call('records:get', { domain });
    await call('publish:status', { domain });
    // The person cancels the deletion main asks about: the key stays.
    expect(await call('keys:delete', { publicKey: domain })).toEqual({
      ok: true,
      value: { deleted: false },
    });
    expect(relay.packets.get(domain)?.records).toHaveLength(2);

    const seed = Uint8Array.from(
      new Entry(service, domain, { linux: { store: 'secret-service' } }).getSecret() ?? [],
    );
    expect(seed).toHaveLength(32);
    await services.close();

    // The SQLite store: every row of every table, and the raw files (database, WAL, journal).
    const db = new Database(join(dataDir, 'pubky-domains.sqlite'), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['keys', 'domains', 'signed_packets', 'outbox']),
    );
    const rows = tables
      .map((t) => replyText(db.prepare(`SELECT * FROM "${t.name}"`).all()))
      .join('\n');
    db.close();
    const files = readdirSync(dataDir).filter((f) => f.startsWith('pubky-domains.sqlite'));
    const fileBytes = files.map((f) => readFileSync(join(dataDir, f)));

    const replyDump = replies.map(replyText).join('\n');
    const logDump = logLines.join('\n');
    expect(replyDump).toContain(domain); // the scan is looking at real content
    for (const form of encodings(seed)) {
      expect(rows, 'SQLite rows').not.toContain(form);
      expect(replyDump, 'IPC replies').not.toContain(form);
      expect(logDump, 'log').not.toContain(form);
    }
    for (const bytes of fileBytes)
      expect(containsBytes(bytes, seed), 'SQLite file bytes').toBe(false);
    expect(existsSync(join(dataDir, 'pubky-domains.sqlite'))).toBe(true);

    new Entry(service, domain, { linux: { store: 'secret-service' } }).deleteCredential();
  });
});
