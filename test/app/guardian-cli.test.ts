// Issue 22: the guardians' command line (`npm run guardian`) against a real companion server: a
// guardian without the desktop app makes its key, accepts the family's invitation, checks and
// acknowledges its share, and approves a recovery only when it types back the asking machine's
// key; it can freeze the family's recoveries. Each command is its own process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../src-main/custody/secret-store';
import { KeyVault } from '../../src-main/custody/key-vault';
import { LocalStore } from '../../src-main/store/local-store';
import { startCompanion } from '../support/companion';
import { spawnNode } from '../support/processes';

const { server, device } = await startCompanion();
const owner = await device('owner');
const helper = await device('helper');
const dir = mkdtempSync(join(tmpdir(), 'pubky-guardian-cli-'));
const keychain = `pubky-domains-guardian-cli-${process.pid}`;
afterAll(() => {
  // What the command line kept: its keys and its session, in its own keychain service.
  const store = new LocalStore(join(dir, 'pubky-domains.sqlite'));
  const vault = new KeyVault(osKeychain(keychain), store);
  for (const key of vault.list()) vault.delete(key, key);
  osKeychain(keychain).delete(`session:${new URL(server.url).origin}`);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(
  ...args: string[]
): Promise<{ code: number | null; out: string; json: unknown }> {
  const run = spawnNode(['--import', 'tsx', 'scripts/guardian.ts', ...args], {
    PUBKY_SERVER: server.url,
    PUBKY_GUARDIAN_DIR: dir,
    PUBKY_GUARDIAN_KEYCHAIN: keychain,
  });
  const code = await run.exited;
  const out = run.output();
  const start = out.search(/^[[{]/m);
  let json: unknown;
  try {
    json = start >= 0 ? JSON.parse(out.slice(start)) : undefined;
  } catch {
    json = undefined;
  }
  return { code, out, json };
}

describe('the guardians’ command line', () => {
  it('accepts, checks, acknowledges, approves with the key typed back, and freezes', async () => {
    const made = await cli('key');
    expect(made.code, made.out).toBe(0);
    expect(made.out).toMatch(/Write these 12 words down/);
    const cliKey = (made.json as { publicKey: string }).publicKey;
    // The same key next time, no new phrase.
    const again = await cli('key');
    expect((again.json as { publicKey: string }).publicKey).toBe(cliKey);
    expect(again.out).not.toMatch(/12 words/);

    const alex = (await owner.ask('keys:create', { label: 'Alex' })).publicKey;
    await owner.ask('session:sign-in', { publicKey: alex });
    const family = await owner.ask('family:create', { name: 'The Smiths' });
    await owner.ask('family:invite', { familyId: family.id, publicKey: cliKey, role: 'guardian' });
    const helperKey = (await helper.ask('keys:create', { label: 'helper' })).publicKey;
    await helper.ask('session:sign-in', { publicKey: helperKey });
    await owner.ask('family:invite', {
      familyId: family.id,
      publicKey: helperKey,
      role: 'guardian',
    });
    const [helperInvitation] = await helper.ask('invitations:list', undefined);
    await helper.ask('invitations:accept', { invitationId: helperInvitation!.invitationId });

    const invitations = (await cli('invitations')).json as {
      invitationId: string;
      familyName: string;
    }[];
    expect(invitations.map((i) => i.familyName)).toEqual(['The Smiths']);
    expect((await cli('accept', invitations[0]!.invitationId)).code).toBe(0);

    const domain = (await owner.ask('keys:create', { label: 'smith family' })).publicKey;
    await owner.ask('family:register-domain', { familyId: family.id, publicKey: domain });
    owner.person.willConfirm(true);
    await owner.ask('guardians:back-up', { familyId: family.id, publicKey: domain, threshold: 2 });
    await owner.ask('guardians:set-wait', { familyId: family.id, hours: 0 });

    const shares = (await cli('shares')).json as { backupId: string; problem: string | null }[];
    expect(shares).toEqual([expect.objectContaining({ problem: null })]);
    expect((await cli('acknowledge', shares[0]!.backupId)).code).toBe(0);
    expect((await cli('acknowledge', 'not-an-id')).code).toBe(1);

    const fresh = await device('fresh');
    const asked = await fresh.ask('recovery:start', { publicKey: domain });
    if (asked.state !== 'waiting') throw new Error('not waiting');
    const waiting = (await cli('recoveries')).json as { recoveryId: string }[];
    expect(waiting).toHaveLength(1);
    // Without the asking machine's key typed back, nothing is approved.
    const refused = await cli('approve', waiting[0]!.recoveryId);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(asked.recovery.ephemeralPublicKey);
    const wrong = await cli('approve', waiting[0]!.recoveryId, '--confirm', 'yyyyyyyy');
    expect(wrong.code).toBe(2);
    const approved = await cli(
      'approve',
      waiting[0]!.recoveryId,
      '--confirm',
      asked.recovery.ephemeralPublicKey.slice(0, 8),
    );
    expect(approved.json).toEqual({ approved: true });
    helper.person.willConfirm(true);
    await helper.ask('guarding:approve', { recoveryId: waiting[0]!.recoveryId });
    expect(await fresh.ask('recovery:status', undefined)).toMatchObject({
      state: 'recovered',
      publicKey: domain,
    });

    const frozen = await cli('freeze', family.id, '2');
    expect(frozen.code).toBe(0);
    expect((await owner.ask('guardians:overview', { familyId: family.id })).freezes).toEqual([
      expect.objectContaining({ publicKey: cliKey }),
    ]);
  });
});
