// Issue 22, acceptance 1, with separate processes: the companion server in its own process, five
// guardians each using the command line (its own process per command, its own keychain), two of
// them away when it matters, two family devices, and a fresh machine in its own process. A 3-of-5
// backup; the fresh machine's recovery is seen on a family device, waits out the family's waiting
// period while three guardians approve, and the recovered key signs a packet the old public key
// verifies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyVault } from '../../src-main/custody/key-vault';
import { osKeychain } from '../../src-main/custody/secret-store';
import { LocalStore } from '../../src-main/store/local-store';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { decodeRelayPayload, parsePublicKey } from '../../src-shared/pkarr';
import { companionDevices } from '../support/companion';
import { startServerProcess } from '../support/server-process';
import { spawnNode, waitFor } from '../support/processes';

const server = await startServerProcess({
  SIGN_IN_PER_MINUTE: '10000',
  WRITES_PER_MINUTE: '10000',
});
const { device } = companionDevices(() => server.base);
const laptop = await device('laptop');
const phone = await device('phone');

/** A guardian's command line home: data dir and keychain service of its own. */
const homes = Array.from({ length: 6 }, (_, i) => ({
  dir: mkdtempSync(join(tmpdir(), `pubky-guardian-${i}-`)),
  keychain: `pubky-domains-guardian-proc-${process.pid}-${i}`,
}));
afterAll(() => {
  for (const home of homes) {
    const store = new LocalStore(join(home.dir, 'pubky-domains.sqlite'));
    const vault = new KeyVault(osKeychain(home.keychain), store);
    for (const key of vault.list()) vault.delete(key, key);
    osKeychain(home.keychain).delete(`session:${new URL(server.base).origin}`);
    store.close();
    rmSync(home.dir, { recursive: true, force: true });
  }
});

async function cli(guardian: number, ...args: string[]) {
  const run = spawnNode(['--import', 'tsx', 'scripts/guardian.ts', ...args], {
    PUBKY_SERVER: server.base,
    PUBKY_GUARDIAN_DIR: homes[guardian]!.dir,
    PUBKY_GUARDIAN_KEYCHAIN: homes[guardian]!.keychain,
  });
  const code = await run.exited;
  const out = run.output();
  if (code !== 0) throw new Error(`guardian ${guardian} ${args.join(' ')}: ${out}`);
  return JSON.parse(out.slice(out.search(/^[[{]/m))) as unknown;
}

describe('guardians, each in its own process', () => {
  it('3 of 5 with two away: a fresh machine gets the key', async () => {
    const alex = (await laptop.ask('keys:create', { label: 'Alex' })).publicKey;
    await laptop.ask('session:sign-in', { publicKey: alex });
    const family = await laptop.ask('family:create', { name: 'The Smiths' });
    const sam = (await phone.ask('keys:create', { label: 'Sam' })).publicKey;
    await phone.ask('session:sign-in', { publicKey: sam });
    await laptop.ask('family:invite', { familyId: family.id, publicKey: sam, role: 'owner' });
    const [own] = await phone.ask('invitations:list', undefined);
    await phone.ask('invitations:accept', { invitationId: own!.invitationId });

    // Five guardians, each on its own machine, join from the command line.
    const keys = await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => ((await cli(i, 'key')) as { publicKey: string }).publicKey),
    );
    for (const key of keys)
      await laptop.ask('family:invite', { familyId: family.id, publicKey: key, role: 'guardian' });
    await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => {
        const [invitation] = (await cli(i, 'invitations')) as { invitationId: string }[];
        await cli(i, 'accept', invitation!.invitationId);
      }),
    );
    const domain = (await laptop.ask('keys:create', { label: 'smith family' })).publicKey;
    await laptop.ask('family:register-domain', { familyId: family.id, publicKey: domain });
    laptop.person.willConfirm(true);
    await laptop.ask('guardians:back-up', { familyId: family.id, publicKey: domain, threshold: 3 });
    // A short waiting period for the test (a family's default is a day).
    await laptop.ask('guardians:set-wait', { familyId: family.id, hours: 8 / 3600 });
    await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => {
        const [share] = (await cli(i, 'shares')) as { backupId: string; problem: string | null }[];
        expect(share!.problem).toBeNull();
        await cli(i, 'acknowledge', share!.backupId);
      }),
    );

    // The fresh machine, in its own process, asks.
    const machine = spawnNode([
      '--import',
      'tsx',
      'test/support/recovery-child.ts',
      homes[5]!.dir,
      homes[5]!.keychain,
      server.base,
      domain,
    ]);
    const oneTime = await waitFor(async () => {
      const match = /"asked":"(\w{52})"/.exec(machine.output());
      return match?.[1];
    }, 30_000);
    // The phone sees it (it could cancel); it lets the waiting period run.
    const recovery = await waitFor(async () => {
      const [open] = (await phone.ask('guardians:overview', { familyId: family.id })).recoveries;
      return open;
    }, 10_000);
    expect(recovery.ephemeralPublicKey).toBe(oneTime);
    expect(recovery.released).toBe(false);
    // Guardians 3 and 4 are away; 0, 1 and 2 approve, naming the machine's key.
    for (const i of [0, 1, 2])
      expect(
        await cli(i, 'approve', recovery.recoveryId, '--confirm', oneTime.slice(0, 8)),
      ).toEqual({ approved: true });

    expect(await machine.exited, machine.output()).toBe(0);
    const done = JSON.parse(machine.output().trim().split('\n').at(-1)!) as {
      recovered: string;
      packet: string;
    };
    expect(done.recovered).toBe(domain);
    const packet = decodeRelayPayload(
      nativeVerifier,
      parsePublicKey(domain),
      new Uint8Array(Buffer.from(done.packet, 'base64')),
    );
    expect(packet.records).toHaveLength(1);
  }, 240_000);
});
