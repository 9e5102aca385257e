// Issue 21, acceptance 3 and 4: a migration onto a Pubky key is signed, published and verified on
// every relay; it is not completed until every target agrees, and fails at its deadline naming the
// relay that serves an older packet or nothing; a rollback restores the previous records exactly,
// newer; a process killed in each state resumes to the same end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMainServices, type MainServices } from '../../src-main/services';
import { osKeychain } from '../../src-main/custody/secret-store';
import { recordValueText, type DnsRecord } from '../../src-shared/pkarr';
import { FaultRelay } from '../support/fault-relay';
import { PersonDialogs } from '../support/person-dialogs';
import { spawnNode } from '../support/processes';

const relays = [await FaultRelay.start(), await FaultRelay.start(), await FaultRelay.start()];
const services: { main: MainServices; dir: string }[] = [];
afterAll(async () => {
  for (const { main, dir } of services) {
    for (const key of main.vault.list()) main.vault.delete(key, key);
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await Promise.all(relays.map((r) => r.close()));
});

async function device(urls: readonly string[], person = new PersonDialogs()) {
  const dir = mkdtempSync(join(tmpdir(), 'pubky-migrate-'));
  const main = await startMainServices({
    dataDir: dir,
    version: 'test',
    serverUrl: () => 'http://127.0.0.1:9',
    relays: urls,
    dhtBootstrap: null,
    keychainService: `pubky-domains-migrate-${process.pid}-${services.length}`,
    outboxIntervalMs: 100,
    migrationPollMs: 100,
    dialogs: person,
  });
  services.push({ main, dir });
  return { main, person };
}

const ZONE = `$ORIGIN smith.example.
$TTL 300
@     IN SOA ns1.registrar.example. admin.smith.example. 1 7200 3600 1209600 300
@     IN NS  ns1.registrar.example.
@     IN A   192.0.2.10
www   IN CNAME smith.example.
@     IN MX  10 mail.smith.example.
@     IN TXT "v=spf1 mx -all"
_sip._tcp IN SRV 10 5 5060 sip.smith.example.
`;
const lines = (records: readonly DnsRecord[]) =>
  records.map((r) => `${r.type} ${r.name} ${r.ttl} ${recordValueText(r)}`).sort();

async function planAndStart(main: MainServices, domain: string, text = ZONE, deadlineMinutes = 1) {
  const plan = await main.handlers['migrations:plan']({
    domain,
    zone: 'smith.example',
    source: { kind: 'zone-text', text },
    defaultTtl: 300,
  });
  const started = await main.handlers['migrations:start']({ planId: plan.planId, deadlineMinutes });
  if (!('id' in started)) throw new Error('not started');
  return { plan, started };
}

describe('running a migration', () => {
  it('signs, publishes and verifies on every relay; completed only then; steps recorded', async () => {
    const { main } = await device(relays.map((r) => r.url));
    const domain = (await main.handlers['keys:create']({ label: 'smith' })).publicKey;
    const { plan, started } = await planAndStart(main, domain);
    expect(plan.leftOut.map((l) => l.type)).toEqual(['SOA', 'NS', 'SRV']);
    const ended = await main.migrations.wait(started.id);
    expect(ended.status).toBe('completed');
    expect(ended.steps.map((s) => s.status)).toEqual([
      'pending',
      'in_progress',
      'in_progress',
      'verifying',
      'completed',
    ]);
    for (const relay of relays)
      expect(lines(relay.packets.get(domain)!.records)).toEqual(lines(ended.planned));
    expect(lines(ended.planned)).toEqual([
      'A @ 300 192.0.2.10',
      'CNAME www 300 smith.example',
      'MX @ 300 10 mail.smith.example',
      'TXT @ 300 v=spf1 mx -all',
    ]);
  });

  it('a relay serving an older packet, or nothing, keeps it from completing: failed at the deadline, named', async () => {
    const [good, older, nothing] = [
      await FaultRelay.start(),
      await FaultRelay.start(),
      await FaultRelay.start(),
    ];
    relays.push(good, older, nothing);
    const { main } = await device([good.url, older.url, nothing.url]);
    const domain = (await main.handlers['keys:create']({ label: 'smith' })).publicKey;
    // The key published something before, which `older` keeps serving.
    await main.handlers['records:save']({
      domain,
      records: [{ type: 'A', name: '@', ttl: 300, address: '198.51.100.1' }],
    });
    await main.handlers['records:publish']({ domain, onTop: true });
    await expect.poll(() => older.packets.get(domain)?.records.length).toBe(1);
    older.mode = 'stale';
    nothing.mode = 'stale';
    nothing.packets.clear();
    const plan = await main.handlers['migrations:plan']({
      domain,
      zone: 'smith.example',
      source: { kind: 'zone-text', text: ZONE },
      defaultTtl: 300,
    });
    // The apex moves from 198.51.100.1 (the plan says so; the wizard asks before starting).
    expect(plan.safety.apexChanges).toBe(true);
    const started = main.migrations.start({
      domain,
      zone: plan.zone,
      planned: plan.carried.map((c) => c.record),
      deadlineMs: 1500,
    });
    const ended = await main.migrations.wait(started.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toContain(`${older.url.replace('http://', '')} serves an older packet`);
    expect(ended.error).toContain(`${nothing.url.replace('http://', '')} serves nothing`);
    expect(ended.error).not.toContain(good.url.replace('http://', ''));
    expect(ended.steps.some((s) => s.status === 'completed')).toBe(false);
  });

  it('a rollback publishes the previous records exactly, with a newer timestamp', async () => {
    const person = new PersonDialogs();
    const { main } = await device(
      relays.slice(0, 3).map((r) => r.url),
      person,
    );
    const domain = (await main.handlers['keys:create']({ label: 'smith' })).publicKey;
    const before: DnsRecord[] = [
      { type: 'A', name: '@', ttl: 300, address: '192.0.2.10' },
      { type: 'TXT', name: 'old', ttl: 60, strings: ['kept "as" it was'] },
    ];
    await main.handlers['records:save']({ domain, records: before });
    await main.handlers['records:publish']({ domain, onTop: true });
    const previous = main.store.getPacket(domain)!.timestamp;
    // The plan drops `old`: half the key's records, so main asks first.
    person.willConfirm(true);
    const { started } = await planAndStart(main, domain);
    expect(JSON.stringify(person.asked.at(-1))).toContain('TXT old kept');
    const done = await main.migrations.wait(started.id);
    expect(done.status).toBe('completed');
    person.willConfirm(true);
    await main.handlers['migrations:rollback']({ migrationId: done.id });
    const rolled = await main.migrations.wait(done.id);
    expect(rolled.status).toBe('rolled_back');
    const now = main.store.getPacket(domain)!.timestamp;
    expect(now).toBeGreaterThan(previous);
    expect(now).toBeGreaterThan(done.publishedTimestamp ?? 0);
    for (const relay of relays.slice(0, 3)) {
      await expect.poll(() => relay.packets.get(domain)?.timestamp).toBe(now);
      expect(lines(relay.packets.get(domain)!.records)).toEqual(lines(before));
    }
    expect(lines((await main.handlers['records:get']({ domain })).drafts)).toEqual(lines(before));
  });
});

describe('a zone file with a mistake', () => {
  it.each([
    ['@ IN A 192.0.2.1\nwww IN BOGUS x\n', 2],
    ['@ IN TXT ( "never closed"\n', 1],
    ['www.other.example. IN A 192.0.2.1\n', 1],
    ['@ IN A 192.0.2.1\nwww IN A 300.1.1.1\n', 2],
    ['$INCLUDE /etc/passwd\n', 1],
  ])('is refused at its line and publishes nothing: %j', async (text, line) => {
    const { main } = await device(relays.slice(0, 2).map((r) => r.url));
    const domain = (await main.handlers['keys:create']({ label: 'smith' })).publicKey;
    const puts = relays.map((r) => r.putsOf(domain).length);
    await expect(
      main.handlers['migrations:plan']({
        domain,
        zone: 'smith.example',
        source: { kind: 'zone-text', text },
        defaultTtl: 300,
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ZONE_FILE',
      message: expect.stringMatching(new RegExp(`^line ${line}: .*Nothing was published\\.$`)),
    });
    expect(main.store.migrationsOf(domain)).toEqual([]);
    expect(main.store.getPacket(domain)).toBeUndefined();
    expect(relays.map((r) => r.putsOf(domain).length)).toEqual(puts);
  });
});

describe('a migration killed in each state', () => {
  const cases: { crashAt: string; rollback?: boolean; end: string }[] = [
    { crashAt: 'pending', end: 'completed' },
    { crashAt: 'in_progress', end: 'completed' },
    { crashAt: 'verifying', end: 'completed' },
    { crashAt: 'completed', end: 'completed' },
    { crashAt: 'rollback:rollback asked', rollback: true, end: 'rolled_back' },
    { crashAt: 'rollback:previous records signed again', rollback: true, end: 'rolled_back' },
  ];
  it.each(cases)('killed at $crashAt resumes to $end', async ({ crashAt, rollback, end }) => {
    const urls = relays.slice(0, 3).map((r) => r.url);
    const dir = mkdtempSync(join(tmpdir(), 'pubky-migrate-crash-'));
    const service = `pubky-domains-migrate-crash-${process.pid}-${crashAt.replace(/\W/g, '')}`;
    // The key and its earlier records, made by a first run.
    const setup = await startMainServices({
      dataDir: dir,
      version: 'test',
      serverUrl: () => 'http://127.0.0.1:9',
      relays: urls,
      dhtBootstrap: null,
      keychainService: service,
      dialogs: new PersonDialogs(),
    });
    const domain = (await setup.handlers['keys:create']({ label: 'smith' })).publicKey;
    const before: DnsRecord[] = [{ type: 'TXT', name: '@', ttl: 300, strings: ['before'] }];
    await setup.handlers['records:save']({ domain, records: before });
    await setup.handlers['records:publish']({ domain, onTop: true });
    await setup.publisher.processOutbox();
    await setup.close();
    const script = 'test/support/migration-child.ts';
    const args = (mode: string) => [
      '--import',
      'tsx',
      script,
      mode,
      dir,
      service,
      JSON.stringify(urls),
      domain,
    ];
    try {
      const first = spawnNode(args('start'), {
        CRASH_AT: crashAt,
        MIGRATION_INPUT: JSON.stringify({ domain, zone: 'smith.example', text: ZONE, rollback }),
      });
      await first.exited;
      // Killed, not ended: it printed nothing.
      expect(first.output()).not.toMatch(/"status"/);
      const second = spawnNode(args('resume'));
      expect(await second.exited, second.output()).toBe(0);
      const ended = JSON.parse(second.output().trim().split('\n').at(-1)!) as {
        status: string;
        planned: DnsRecord[];
      };
      expect(ended.status).toBe(end);
      const expected = end === 'rolled_back' ? before : ended.planned;
      for (const relay of relays.slice(0, 3))
        await expect
          .poll(() => lines(relay.packets.get(domain)?.records ?? []))
          .toEqual(lines(expected));
    } finally {
      osKeychain(service).delete(domain);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
