// Issue 17 item 11: a compromised renderer can ask, not decide. Deleting a key and exporting a
// recovery file are confirmed by the person in main's native dialogs; the recovery file is
// written by main where the person chose, and its bytes never cross into the renderer.
import { Keypair } from '@synonymdev/pubky';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshLocalApp, localDispatch } from '../support/local';
import { PersonDialogs } from '../support/person-dialogs';

const app = freshLocalApp();
const person = new PersonDialogs();
const dispatch = localDispatch(app, { dialogs: person });
const created = async (label: string) =>
  ((await dispatch('keys:create', { label })) as { value: { publicKey: string } }).value.publicKey;

describe('main confirms what only the person may decide', () => {
  it('a key is deleted only when the person confirms main’s dialog, which names it and what is lost', async () => {
    const key = await created('blog');
    person.willConfirm(false);
    expect(await dispatch('keys:delete', { publicKey: key })).toEqual({
      ok: true,
      value: { deleted: false },
    });
    expect(app.vault.list()).toContain(key);
    expect(person.asked.at(-1)).toMatchObject({
      message: expect.stringContaining('blog'),
      detail: expect.stringMatching(/cannot be undone/),
      confirmLabel: 'Delete key',
    });
    // A renderer cannot answer for the person: the old confirmation field is refused, and
    // with no answer scripted the dialog's default (Cancel) holds.
    expect(await dispatch('keys:delete', { publicKey: key })).toEqual({
      ok: true,
      value: { deleted: false },
    });
    expect(app.vault.list()).toContain(key);

    // Confirmed once, the key is still kept: it has no backup, so main asks a second time.
    person.willConfirm(true);
    expect(await dispatch('keys:delete', { publicKey: key })).toEqual({
      ok: true,
      value: { deleted: false },
    });
    expect(person.asked.at(-1)).toMatchObject({
      title: 'This key is not backed up',
      message: expect.stringContaining('blog'),
      detail: expect.stringMatching(/no one can ever publish for this domain again/),
    });
    expect(app.vault.list()).toContain(key);

    person.willConfirm(true).willConfirm(true);
    expect(await dispatch('keys:delete', { publicKey: key })).toEqual({
      ok: true,
      value: { deleted: true },
    });
    expect(app.vault.list()).not.toContain(key);
    const asked = person.asked.length;
    expect(await dispatch('keys:delete', { publicKey: key })).toMatchObject({
      ok: false,
      error: { code: 'KEY_NOT_FOUND' },
    });
    expect(person.asked).toHaveLength(asked); // nothing to confirm for a key it does not hold
  });

  it('a backed-up key is deleted after one confirmation', async () => {
    const key = await created('backed up');
    person.willSaveTo(join(app.dir, 'backed-up.pkarr'));
    await dispatch('keys:export-recovery', {
      publicKey: key,
      passphrase: 'long family passphrase',
    });
    const asked = person.asked.length;
    person.willConfirm(true);
    expect(await dispatch('keys:delete', { publicKey: key })).toEqual({
      ok: true,
      value: { deleted: true },
    });
    expect(person.asked).toHaveLength(asked + 1);
  });

  it('a recovery file is written by main where the person chose; the renderer gets only the path', async () => {
    const key = await created('family');
    const path = join(app.dir, 'family.pkarr');
    person.willSaveTo(undefined);
    const cancelled = await dispatch('keys:export-recovery', {
      publicKey: key,
      passphrase: 'long family passphrase',
    });
    expect(cancelled).toEqual({ ok: true, value: { saved: false } });
    expect(existsSync(path)).toBe(false);

    person.willSaveTo(path);
    const saved = await dispatch('keys:export-recovery', {
      publicKey: key,
      passphrase: 'long family passphrase',
    });
    expect(saved).toEqual({ ok: true, value: { saved: true, path } });
    expect(person.asked.at(-1)).toMatchObject({
      defaultName: 'family.pkarr',
      extensions: ['pkarr'],
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const file = readFileSync(path);
    // The official client opens it to the same key; the reply holds none of its bytes.
    expect(
      Keypair.fromRecoveryFile(new Uint8Array(file), 'long family passphrase').publicKey.z32(),
    ).toBe(key);
    expect(JSON.stringify(saved)).not.toContain(file.toString('base64').slice(0, 24));
  });
});
