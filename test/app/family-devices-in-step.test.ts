// Issue 20: two devices of one family, each with main's real services (own data dir, own keychain
// service), one companion server on embedded Postgres. A domain key is shared sealed through the
// server; each publish reaches the other device through the server's feed and relay; a device that
// was closed catches up on every change once, in order; edits made apart are shown side by side
// before anything is overwritten; a removed member loses the family at once and keeps its keys;
// no seed, phrase or token is anywhere but the keychain and main's memory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { osKeychain } from '../../src-main/custody/secret-store';
import type { DnsRecord } from '../../src-shared/pkarr';
import { COMPANION_TARGET } from '../../src-shared/publish/targets';
import { startCompanion } from '../support/companion';
import { waitFor } from '../support/processes';

const { server, serverLog, devices, device } = await startCompanion();
type Device = (typeof devices)[number];

const txt = (text: string): DnsRecord => ({ type: 'TXT', name: '@', ttl: 300, strings: [text] });
const texts = (records: readonly DnsRecord[]) =>
  records.flatMap((r) => (r.type === 'TXT' ? r.strings : []));
const until = <T>(check: () => Promise<T | undefined> | T | undefined, ms = 10_000) =>
  waitFor(async () => check(), ms);

/** Saves and publishes; resolves once the companion server holds the packet. */
async function publish(
  d: Device,
  domain: string,
  records: DnsRecord[],
  onTop = false,
): Promise<number> {
  await d.ask('records:save', { domain, records });
  const published = await d.ask('records:publish', { domain, onTop });
  if (published.outcome !== 'queued') throw new Error(`publish: ${published.outcome}`);
  await until(() =>
    d.main.store
      .outboxEntries(domain)
      .some(
        (e) =>
          e.target === COMPANION_TARGET &&
          e.timestamp === published.timestamp &&
          e.state === 'done',
      )
      ? true
      : undefined,
  );
  return published.timestamp;
}

const parent = await device('parent');
const coParent = await device('co-parent');
const phrases: string[] = [];
const me = async (d: Device, label: string) => {
  const created = await d.ask('keys:create', { label });
  const phrase = await d.ask('keys:reveal-phrase', { publicKey: created.publicKey });
  phrases.push(phrase.words.join(' '));
  return created.publicKey;
};
const parentKey = await me(parent, 'Alex');
const coParentKey = await me(coParent, 'Sam');
await parent.ask('session:sign-in', { publicKey: parentKey });
const coParentSession = await coParent.ask('session:sign-in', { publicKey: coParentKey });
const family = await parent.ask('family:create', { name: 'The Smiths' });
await parent.ask('family:invite', {
  familyId: family.id,
  publicKey: coParentKey,
  role: 'member',
  displayName: 'Sam',
});
const invitation = (await coParent.ask('invitations:list', undefined))[0]!;
await coParent.ask('invitations:accept', { invitationId: invitation.invitationId });
const domain = await me(parent, 'smith family');
await parent.ask('family:register-domain', { familyId: family.id, publicKey: domain });
const domainId = (await parent.ask('family:get', { familyId: family.id })).domains[0]!.id;
const coParentUserId = coParentSession.state === 'signed-in' ? coParentSession.userId : '';

describe('a family’s devices in step', () => {
  it('shares the domain key sealed through the server; the other device accepts and edits', async () => {
    await publish(parent, domain, [txt('from the laptop')]);

    parent.person.willConfirm(true);
    expect(
      await parent.ask('family:share-key', {
        familyId: family.id,
        domainId,
        userId: coParentUserId,
      }),
    ).toEqual({ shared: true });
    // The person was shown the recipient's full key to check before anything left.
    expect(JSON.stringify(parent.person.asked.at(-1))).toContain(coParentKey);

    const offers = await until(async () => {
      const list = await coParent.ask('key-shares:list', undefined);
      return list.length ? list : undefined;
    });
    expect(offers[0]).toMatchObject({ publicKey: domain, domainId, familyName: 'The Smiths' });
    expect(JSON.stringify(offers)).not.toMatch(/sealed/);
    const accepted = await coParent.ask('key-shares:accept', {
      keyShareId: offers[0]!.keyShareId,
    });
    expect(accepted.publicKey).toBe(domain);
    expect(coParent.main.vault.list()).toContain(domain);
    // The family's published records arrived with the key, from the server's signed packet.
    expect(texts((await coParent.ask('records:get', { domain })).drafts)).toEqual([
      'from the laptop',
    ]);
    const holders = (await parent.ask('family:get', { familyId: family.id })).domains[0]!.holders;
    expect(holders).toHaveLength(2);
    expect(holders[1]).toBe('Sam');

    // The co-parent publishes; the laptop follows without being asked.
    await publish(coParent, domain, [txt('from the phone')]);
    await until(async () =>
      texts((await parent.ask('records:get', { domain })).drafts)[0] === 'from the phone'
        ? true
        : undefined,
    );
    expect(parent.events.some((e) => e.event === 'domains:changed')).toBe(true);
  });

  it('a device closed while the other makes 10 changes shows all 10 on reopening, in order, once', async () => {
    await until(async () =>
      (await coParent.ask('family:activity', { familyId: family.id })).length > 0
        ? true
        : undefined,
    );
    const before = await coParent.ask('family:activity', { familyId: family.id });
    await coParent.main.close();
    const timestamps: number[] = [];
    for (let i = 1; i <= 10; i++)
      timestamps.push(await publish(parent, domain, [txt(`change ${i}`)]));
    await coParent.reopen();
    const changes = await until(async () => {
      const activity = await coParent.ask('family:activity', { familyId: family.id });
      const mine = activity.filter(
        (a) =>
          a.kind === 'pkarr_record_event' &&
          a.packetTimestamp !== null &&
          timestamps.includes(a.packetTimestamp),
      );
      return mine.length >= 10 ? { activity, mine } : undefined;
    });
    expect(changes.mine.map((a) => texts(a.records ?? []))).toEqual(
      timestamps.map((_, i) => [`change ${i + 1}`]),
    );
    expect(changes.mine.map((a) => a.packetTimestamp)).toEqual(timestamps);
    const seqs = changes.activity.map((a) => a.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(changes.activity.slice(0, before.length)).toEqual(before);
    await until(async () =>
      texts((await coParent.ask('records:get', { domain })).drafts)[0] === 'change 10'
        ? true
        : undefined,
    );
  });

  it('edits made apart: the second to publish is shown the other set before anything is overwritten', async () => {
    // The co-parent edits, then closes its laptop; the parent edits and publishes meanwhile.
    await coParent.ask('records:save', { domain, records: [txt('the phone’s edit')] });
    await coParent.main.close();
    await publish(parent, domain, [txt('the laptop’s edit')]);
    await coParent.reopen();
    // Back, it is told before publishing: both sets, side by side; its own draft untouched.
    const seen = await until(async () => {
      const records = await coParent.ask('records:get', { domain });
      return records.conflict ? records : undefined;
    });
    expect(texts(seen.drafts)).toEqual(['the phone’s edit']);
    expect(texts(seen.conflict!.records)).toEqual(['the laptop’s edit']);
    expect(await coParent.ask('records:publish', { domain })).toEqual({
      domain,
      outcome: 'conflict',
    });

    // The phone publishes on top (the person chose so); the laptop, with an edit of its own,
    // is stopped too: by the feed's word or, before that arrives, by asking the server.
    await parent.ask('records:save', { domain, records: [txt('laptop again')] });
    await publish(coParent, domain, [txt('the phone’s edit')], true);
    expect(await parent.ask('records:publish', { domain })).toEqual({
      domain,
      outcome: 'conflict',
    });
    const laptop = await parent.ask('records:get', { domain });
    expect(texts(laptop.drafts)).toEqual(['laptop again']);
    expect(texts(laptop.conflict!.records)).toEqual(['the phone’s edit']);
  });

  it('a recovery file saved is told to the server: the score rises, and the other device hears it live', async () => {
    const before = await parent.ask('family:score', { domainId });
    const heard = coParent.events.length;
    parent.person.willSaveTo(join(parent.dir, 'smith.pkarr'));
    expect(
      await parent.ask('keys:export-recovery', {
        publicKey: domain,
        passphrase: 'correct horse battery staple orbit',
      }),
    ).toMatchObject({ saved: true });
    const after = await until(async () => {
      const score = await parent.ask('family:score', { domainId });
      return score.score > before.score ? score : undefined;
    });
    expect(after.breakdown.factors.flatMap((f) => f.reasons).map((r) => r.code)).toContain(
      'recovery_file_exported',
    );
    await until(() =>
      coParent.events
        .slice(heard)
        .some(
          (e) =>
            e.event === 'family:changed' &&
            (e.payload as { kind: string }).kind === 'sovereignty_score_event',
        )
        ? true
        : undefined,
    );
  });

  it('a removed member loses the family within a second and keeps its keys', async () => {
    const keysBefore = coParent.main.vault.list();
    const removedAt = Date.now();
    await parent.ask('family:remove-member', { familyId: family.id, userId: coParentUserId });
    await until(
      () =>
        coParent.events.some(
          (e) =>
            e.event === 'family:changed' &&
            (e.payload as { kind: string; familyId: string }).kind === 'access_ended',
        )
          ? true
          : undefined,
      1000,
    );
    expect(Date.now() - removedAt).toBeLessThan(1000);
    expect(await coParent.ask('family:activity', { familyId: family.id })).toEqual([]);
    expect(coParent.main.vault.list()).toEqual(keysBefore);
    // Its feed carries nothing more of that family.
    const count = coParent.events.filter((e) => e.event === 'family:changed').length;
    await parent.ask('records:save', { domain, records: [txt('after the removal')] });
    await parent.ask('records:publish', { domain, onTop: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(coParent.events.filter((e) => e.event === 'family:changed').length).toBe(count);
  });

  it('no seed, phrase or token is in Postgres, SQLite or the logs; the server holds nothing of the shared key', async () => {
    const secrets: string[] = [];
    const forms = (bytes: Uint8Array) => {
      const b = Buffer.from(bytes);
      return [b.toString('hex'), b.toString('base64'), b.toString('base64url')];
    };
    const origin = `session:${new URL(server.url).origin}`;
    for (const d of devices) {
      const keychain = osKeychain(d.service);
      for (const key of d.main.vault.list()) secrets.push(...forms(keychain.get(key)!));
      const refresh = keychain.get(origin);
      if (refresh) secrets.push(new TextDecoder().decode(refresh));
      secrets.push(await d.main.session.accessToken());
    }
    secrets.push(...phrases);
    expect(secrets.length).toBeGreaterThan(15);

    // Postgres: every row of every table, as text (bytea as hex and base64).
    const tables = await server.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    let postgres = '';
    for (const { table_name } of tables.rows) {
      const rows = await server.pool.query(`SELECT * FROM "${table_name}"`);
      postgres += JSON.stringify(rows.rows, (_k, v: unknown) =>
        Buffer.isBuffer(v) ? `${v.toString('hex')} ${v.toString('base64')}` : v,
      );
    }
    expect(postgres).toContain(domain);
    // SQLite files as bytes; the logs as text.
    const files = devices.flatMap((d) =>
      readdirSync(d.dir).map((f) => readFileSync(join(d.dir, f)).toString('latin1')),
    );
    const logs = [...serverLog, ...devices.flatMap((d) => d.log)].join('\n');
    for (const secret of secrets) {
      expect(postgres.includes(secret), 'a secret in Postgres').toBe(false);
      for (const file of files) expect(file.includes(secret), 'a secret in SQLite').toBe(false);
      expect(logs.includes(secret), 'a secret in the logs').toBe(false);
    }
    // Of the shared key the server kept nothing once the share was answered.
    const shares = await server.pool.query('SELECT * FROM domain_key_shares');
    expect(shares.rowCount).toBe(0);
  });
});
