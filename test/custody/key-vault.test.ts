// The vault on the real OS keychain: keys are created, listed, used to sign, exported and
// imported as Pubky recovery files (interoperable with the official client), and deleted only
// with confirmation.
import { Keypair } from '@synonymdev/pubky';
import { Entry } from '@napi-rs/keyring';
import { describe, expect, it } from 'vitest';
import { parsePublicKey, z32Encode } from '../../src-shared/pkarr';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { freshLocalApp } from '../support/local';
import { spawnNode } from '../support/processes';

const app = freshLocalApp();

describe('KeyVault', () => {
  it('creates a key in the keychain, lists it and signs with it', () => {
    const publicKey = app.vault.create('family').publicKey;
    expect(publicKey).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/);
    expect(app.vault.list()).toContain(publicKey);
    const message = new TextEncoder().encode('hello');
    const signature = app.vault.sign(publicKey, message);
    expect(nativeVerifier.verify(parsePublicKey(publicKey), message, signature)).toBe(true);
    // The secret is a real keychain entry under the key's name.
    expect(
      new Entry(app.service, publicKey, { linux: { store: 'secret-service' } }).getSecret(),
    ).toHaveLength(32);
  });

  it('deletes only when confirmed with the full public key', () => {
    const publicKey = app.vault.create().publicKey;
    expect(() => app.vault.delete(publicKey, 'yes')).toThrow(
      expect.objectContaining({ code: 'CONFIRMATION_MISMATCH' }),
    );
    expect(app.vault.list()).toContain(publicKey);
    app.vault.delete(publicKey, publicKey);
    expect(app.vault.list()).not.toContain(publicKey);
    expect(() => app.vault.sign(publicKey, new Uint8Array([1]))).toThrow(
      expect.objectContaining({ code: 'KEY_NOT_FOUND' }),
    );
  });

  it('opens a recovery file made by @synonymdev/pubky, with the same public key', async () => {
    const theirs = Keypair.random();
    const file = theirs.createRecoveryFile('correct horse battery');
    const imported = await app.vault.importRecoveryFile(file, 'correct horse battery');
    expect(imported).toBe(theirs.publicKey.z32());
    expect(app.vault.list()).toContain(imported);
  });

  it('makes recovery files that @synonymdev/pubky opens, with the same public key', async () => {
    const publicKey = app.vault.create().publicKey;
    const file = await app.vault.exportRecoveryFile(publicKey, 'a long passphrase');
    expect(new TextDecoder().decode(file.subarray(0, 19))).toBe('pubky.org/recovery\n');
    expect(Keypair.fromRecoveryFile(file, 'a long passphrase').publicKey.z32()).toBe(publicKey);
  });

  it('refuses a wrong passphrase, a damaged file and a weak passphrase with typed errors', async () => {
    const file = Keypair.random().createRecoveryFile('right passphrase');
    await expect(app.vault.importRecoveryFile(file, 'wrong passphrase')).rejects.toMatchObject({
      code: 'WRONG_PASSPHRASE',
    });
    await expect(
      app.vault.importRecoveryFile(file.subarray(0, 50), 'right passphrase'),
    ).rejects.toMatchObject({ code: 'INVALID_RECOVERY_FILE' });
    await expect(
      app.vault.importRecoveryFile(new TextEncoder().encode('hello\nworld'), 'x'),
    ).rejects.toMatchObject({ code: 'INVALID_RECOVERY_FILE' });
    const publicKey = app.vault.create().publicKey;
    await expect(app.vault.exportRecoveryFile(publicKey, 'short')).rejects.toMatchObject({
      code: 'WEAK_PASSPHRASE',
    });
  });

  it('importing a key it already holds keeps one copy', async () => {
    const theirs = Keypair.random();
    const file = theirs.createRecoveryFile('passphrase one');
    const first = await app.vault.importRecoveryFile(file, 'passphrase one');
    const second = await app.vault.importRecoveryFile(file, 'passphrase one');
    expect(second).toBe(first);
    expect(app.vault.list().filter((key) => key === first)).toHaveLength(1);
  });

  it('rejects malformed public keys with a typed error', () => {
    expect(() => app.vault.sign('not-a-key', new Uint8Array())).toThrow(
      expect.objectContaining({ code: 'INVALID_PUBLIC_KEY' }),
    );
    expect(() => app.vault.delete(z32Encode(new Uint8Array(31)), 'x')).toThrow(
      expect.objectContaining({ code: 'INVALID_PUBLIC_KEY' }),
    );
  });
});

describe('KeyVault without a keychain', () => {
  it('refuses with KEYCHAIN_UNAVAILABLE and never writes the secret anywhere else', async () => {
    const script = `
      import { KeyVault } from './src-main/custody/key-vault.ts';
      import { osKeychain } from './src-main/custody/secret-store.ts';
      import { LocalStore } from './src-main/store/local-store.ts';
      const store = new LocalStore(':memory:');
      try {
        new KeyVault(osKeychain('pubky-domains-test-nokeychain'), store).create().publicKey;
        console.log('CREATED');
      } catch (error) {
        console.log(JSON.stringify({ code: error.code, message: error.message, keys: store.listKeys() }));
      }`;
    const child = spawnNode(['--import', 'tsx', '--input-type=module', '-e', script], {
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
    });
    expect(await child.exited).toBe(0);
    const result = JSON.parse(child.output().trim().split('\n').at(-1) ?? '{}') as {
      code: string;
      message: string;
      keys: string[];
    };
    expect(result.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(result.message).toMatch(/gnome-keyring/);
    expect(result.keys).toEqual([]);
  });
});
