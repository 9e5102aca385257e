// Issue 22 through main's handlers: a family's device, five guardians' apps (two of them never
// answer) and a fresh machine, one companion server. A 3-of-5 backup each guardian checks and
// acknowledges; the fresh machine asks for the key with a one-time key; three guardians approve;
// nothing comes before the waiting period; then the machine rebuilds the key, which signs a packet
// the old public key verifies. A recovery the family's device did not start is cancelled and
// releases nothing; a guardian's freeze stops a recovery. No seed or phrase in Postgres, SQLite,
// the logs or the feed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { osKeychain } from '../../src-main/custody/secret-store';
import { nativeVerifier } from '../../src-node/native-ed25519';
import {
  decodeRelayPayload,
  encodeRelayPayload,
  parsePublicKey,
  signPacket,
} from '../../src-shared/pkarr';
import { startCompanion } from '../support/companion';
import { waitFor } from '../support/processes';
import { FeedClient } from '../../src-node/feed-client';
import { open } from '../../src-shared/crypto/sealed-box';
import { shareContext } from '../../src-shared/guardians/commitments';
import type { Subscription } from '../../src-shared/feed-messages';

const { server, serverLog, devices, device } = await startCompanion();
const owner = await device('owner');
const guardians = await Promise.all(Array.from({ length: 5 }, (_, i) => device(`guardian-${i}`)));
const phrases: string[] = [];

const me = async (d: typeof owner, label: string) => {
  const key = (await d.ask('keys:create', { label })).publicKey;
  phrases.push((await d.ask('keys:reveal-phrase', { publicKey: key })).words.join(' '));
  await d.ask('session:sign-in', { publicKey: key });
  return key;
};
await me(owner, 'Alex');
const family = await owner.ask('family:create', { name: 'The Smiths' });
const guardianKeys: string[] = [];
for (const [i, g] of guardians.entries()) {
  const key = await me(g, `Guardian ${i}`);
  guardianKeys.push(key);
  await owner.ask('family:invite', {
    familyId: family.id,
    publicKey: key,
    role: 'guardian',
    displayName: `Guardian ${i}`,
  });
  const [invitation] = await g.ask('invitations:list', undefined);
  await g.ask('invitations:accept', { invitationId: invitation!.invitationId });
}
const domain = (await owner.ask('keys:create', { label: 'smith family' })).publicKey;
phrases.push((await owner.ask('keys:reveal-phrase', { publicKey: domain })).words.join(' '));
await owner.ask('family:register-domain', { familyId: family.id, publicKey: domain });

describe('guardians recover a family’s key', () => {
  it('3 of 5: backed up, checked and acknowledged by each guardian', async () => {
    owner.person.willConfirm(true);
    const made = await owner.ask('guardians:back-up', {
      familyId: family.id,
      publicKey: domain,
      threshold: 3,
    });
    expect(made).toHaveProperty('backupId');
    // The confirmation named every guardian.
    expect(JSON.stringify(owner.person.asked.at(-1)).match(/Guardian \d/g)).toHaveLength(5);
    for (const g of guardians) {
      const view = await g.ask('guarding:list', undefined);
      expect(view.shares).toEqual([
        expect.objectContaining({ publicKey: domain, threshold: 3, shareCount: 5, problem: null }),
      ]);
      await g.ask('guarding:acknowledge', { backupId: view.shares[0]!.backupId });
    }
    const overview = await owner.ask('guardians:overview', { familyId: family.id });
    expect(overview.guardians.map((g) => g.backupStatus)).toEqual(Array(5).fill('acknowledged'));
    expect(overview.backups[0]).toMatchObject({ threshold: 3, acknowledged: 5, status: 'active' });
  });

  it('a fresh machine gets the key after the waiting period, with three of five approving', async () => {
    await owner.ask('guardians:set-wait', { familyId: family.id, hours: 2 / 3600 });
    const fresh = await device('new-laptop');
    const asked = await fresh.ask('recovery:start', { publicKey: domain });
    expect(asked.state).toBe('waiting');
    // The family's device sees it at once (the feed), before anything is released.
    await waitFor(
      async () =>
        owner.events.some(
          (e) =>
            e.event === 'family:changed' && (e.payload as { kind: string }).kind === 'family_event',
        ) && (await owner.ask('guardians:overview', { familyId: family.id })).recoveries.length > 0
          ? true
          : undefined,
      5000,
    );
    // Each guardian's app hears of it live (its feed's guardian events).
    await waitFor(
      async () =>
        guardians.every((g) =>
          g.events.some(
            (e) =>
              e.event === 'family:changed' &&
              (e.payload as { kind: string }).kind === 'guardian_event',
          ),
        )
          ? true
          : undefined,
      5000,
    );
    // Guardians 3 and 4 are away; 0, 1 and 2 approve (each after the person confirms).
    for (const g of guardians.slice(0, 3)) {
      const view = await g.ask('guarding:list', undefined);
      expect(view.recoveries).toHaveLength(1);
      g.person.willConfirm(true);
      expect(
        await g.ask('guarding:approve', { recoveryId: view.recoveries[0]!.recoveryId }),
      ).toEqual({ approved: true });
    }
    expect((await fresh.ask('recovery:status', undefined)).state).toBe('waiting');
    const done = await waitFor(async () => {
      const status = await fresh.ask('recovery:status', undefined);
      return status.state === 'recovered' ? status : undefined;
    }, 10_000);
    expect(done).toEqual({ state: 'recovered', publicKey: domain, badGuardians: [] });
    expect(fresh.main.vault.list()).toEqual([domain]);
    const packet = signPacket(fresh.main.vault.signer(domain), [
      { type: 'TXT', name: '@', ttl: 60, strings: ['recovered'] },
    ]);
    expect(
      decodeRelayPayload(nativeVerifier, parsePublicKey(domain), encodeRelayPayload(packet))
        .records,
    ).toHaveLength(1);
    const custody = await server.pool.query<{ custody: string }>(
      'SELECT custody FROM pubky_keypairs WHERE public_key = $1',
      [domain],
    );
    expect(custody.rows[0]!.custody).toBe('guardian-recovered');
  });

  it('a recovery the family did not start: cancelled from its device, nothing released; a freeze stops one', async () => {
    await owner.ask('guardians:set-wait', { familyId: family.id, hours: 0 });
    const thief = await device('thief');
    await thief.ask('recovery:start', { publicKey: domain });
    const [open] = (
      await owner.ask('guardians:overview', { familyId: family.id })
    ).recoveries.filter((r) => r.status === 'waiting');
    expect(
      await owner.ask('guardians:answer-recovery', {
        familyId: family.id,
        recoveryId: open!.recoveryId,
        answer: 'cancel',
      }),
    ).toEqual({ answered: true });
    // Approvals after the cancel find nothing; the thief never gets a share.
    const guardian = guardians[0]!;
    guardian.person.willConfirm(true);
    await expect(
      guardian.ask('guarding:approve', { recoveryId: open!.recoveryId }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await thief.ask('recovery:status', undefined)).toMatchObject({ state: 'cancelled' });
    expect(thief.main.vault.list()).not.toContain(domain);

    // A guardian freezes the family: the next ask is refused while it holds.
    await guardians[4]!.ask('guarding:freeze', { familyId: family.id, hours: 1 });
    const other = await device('another');
    await expect(other.ask('recovery:start', { publicKey: domain })).rejects.toMatchObject({
      code: 'SERVER_REFUSED',
    });
    const overview = await owner.ask('guardians:overview', { familyId: family.id });
    expect(overview.freezes.map((f) => f.publicKey)).toEqual([guardianKeys[4]]);
  });

  it('no seed, phrase or plain share in Postgres, SQLite, the logs or the feed', async () => {
    const secrets: string[] = [...phrases];
    // Everything the feed told the family and a guardian, replayed from the start.
    const frames: string[] = [];
    const replay = async (d: typeof owner, subscription: Subscription) => {
      const client = new FeedClient({
        urls: [server.feedUrl],
        token: () => d.main.session.accessToken(),
        subscriptions: [subscription],
        since: 0,
      });
      client.on('event', (event) => frames.push(JSON.stringify(event)));
      client.start();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      client.stop();
    };
    await replay(owner, { familyId: family.id });
    await replay(guardians[0]!, { guardian: true });
    expect(frames.some((f) => f.includes('recovery_requested'))).toBe(true);
    const feed = frames.join('\n');
    for (const d of devices) {
      const keychain = osKeychain(d.service);
      for (const key of d.main.vault.list()) {
        const seed = Buffer.from(keychain.get(key)!);
        secrets.push(seed.toString('hex'), seed.toString('base64'), seed.toString('base64url'));
      }
    }
    // The plain shares themselves: opened here, with each guardian's seed, from what it holds.
    const held = await server.pool.query<{ sealed: Buffer; guardian: string; domain: string }>(
      `SELECT s.encrypted_share AS sealed, g.guardian_public_key AS guardian, k.public_key AS domain
       FROM guardian_backup_shares s JOIN federation_guardians g ON g.id = s.guardian_id
       JOIN guardian_backups b ON b.id = s.backup_id JOIN pubky_keypairs k ON k.id = b.keypair_id`,
    );
    expect(held.rowCount).toBe(5);
    for (const row of held.rows) {
      const g = guardians[guardianKeys.indexOf(row.guardian)]!;
      const seed = osKeychain(g.service).get(row.guardian)!;
      const share = Buffer.from(open(new Uint8Array(row.sealed), seed, shareContext(row.domain)));
      secrets.push(share.toString('hex'), share.toString('base64'), share.toString('base64url'));
    }
    const tables = await server.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    let postgres = '';
    for (const { table_name } of tables.rows)
      postgres += JSON.stringify(
        (await server.pool.query(`SELECT * FROM "${table_name}"`)).rows,
        (_k, v: unknown) =>
          Buffer.isBuffer(v) ? `${v.toString('hex')} ${v.toString('base64')}` : v,
      );
    const files = devices.flatMap((d) =>
      readdirSync(d.dir).map((f) => readFileSync(join(d.dir, f)).toString('latin1')),
    );
    const logs = [...serverLog, ...devices.flatMap((d) => d.log)].join('\n');
    for (const secret of secrets) {
      expect(postgres.includes(secret)).toBe(false);
      for (const file of files) expect(file.includes(secret)).toBe(false);
      expect(logs.includes(secret)).toBe(false);
      expect(feed.includes(secret)).toBe(false);
    }
  });
});
