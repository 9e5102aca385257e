// A device's main process for migration crash tests, in its own process: `start` plans and starts
// a migration from MIGRATION_INPUT (JSON: domain, zone, text, rollback) and, with CRASH_AT, kills itself
// (SIGKILL: nothing flushed, nothing closed) the moment the migration enters that state;
// `resume` starts main again on the same data and keychain and prints the migration once it ends.
import { startMainServices } from '../../src-main/services';
import { PersonDialogs } from './person-dialogs';

const [mode, dataDir, service, relaysJson] = process.argv.slice(2);
const crashAt = process.env['CRASH_AT'];
const main = await startMainServices({
  dataDir: dataDir!,
  version: 'test',
  serverUrl: () => 'http://127.0.0.1:9',
  relays: JSON.parse(relaysJson!) as string[],
  dhtBootstrap: null,
  keychainService: service!,
  outboxIntervalMs: 100,
  migrationPollMs: 100,
  dialogs: new PersonDialogs().willConfirm(true).willConfirm(true),
});
main.events.subscribe((event, payload) => {
  if (event !== 'migration:changed' || !crashAt) return;
  const m = payload as unknown as {
    status: string;
    rollbackRequested: boolean;
    steps: { detail: string }[];
  };
  const at =
    m.rollbackRequested && m.status !== 'rolled_back'
      ? `rollback:${m.steps.at(-1)?.detail}`
      : m.status;
  if (at === crashAt) process.kill(process.pid, 'SIGKILL');
});
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (mode === 'start') {
  const input = JSON.parse(process.env['MIGRATION_INPUT']!) as {
    domain: string;
    zone: string;
    text: string;
    rollback?: boolean;
  };
  const plan = await main.handlers['migrations:plan']({
    domain: input.domain,
    zone: input.zone,
    source: { kind: 'zone-text', text: input.text },
    defaultTtl: 300,
  });
  const started = await main.handlers['migrations:start']({
    planId: plan.planId,
    deadlineMinutes: 1,
  });
  if (!('id' in started)) throw new Error('not started');
  let ended = await main.migrations.wait(started.id);
  if (input.rollback) {
    await main.handlers['migrations:rollback']({ migrationId: ended.id });
    ended = await main.migrations.wait(ended.id);
  }
  print(ended);
} else {
  // Resume: main resumed every unfinished migration as it started.
  const [unfinished] = main.store.migrationsOf(process.argv[6]!);
  print(await main.migrations.wait(unfinished!.id));
}
await main.close();
process.exit(0);
