// What a family can send to whoever helps them: the app's recent log lines and a summary of its
// state (settings, counts, publish outcomes), never a key, phrase, packet or record value.
import type { AppSettings } from '../src-shared/settings';
import type { LocalStore } from './store/local-store';

const KEEP_LINES = 1000;

export class DiagnosticsLog {
  private readonly lines: string[] = [];

  add(line: string): void {
    this.lines.push(`${new Date().toISOString()} ${line}`);
    if (this.lines.length > KEEP_LINES) this.lines.splice(0, this.lines.length - KEEP_LINES);
  }

  recent(): readonly string[] {
    return this.lines;
  }
}

export function diagnosticsReport(input: {
  version: string;
  settings: AppSettings;
  store: LocalStore;
  log: DiagnosticsLog;
}): string {
  const rows = input.store.domainRows();
  const targets = new Map<string, { done: number; waiting: number; lastError: string | null }>();
  for (const row of rows) {
    for (const t of row.targets) {
      const entry = targets.get(t.target) ?? { done: 0, waiting: 0, lastError: null };
      if (t.state === 'done') entry.done++;
      else {
        entry.waiting++;
        entry.lastError = t.lastError ?? entry.lastError;
      }
      targets.set(t.target, entry);
    }
  }
  const report = {
    app: { version: input.version, platform: process.platform, node: process.versions.node },
    settings: input.settings,
    counts: {
      keys: rows.filter((r) => r.held).length,
      domains: rows.length,
      published: rows.filter((r) => r.packetTimestamp !== null).length,
      notBackedUp: rows.filter((r) => r.held && r.backedUpAt === null).length,
    },
    targets: Object.fromEntries(targets),
  };
  return `${JSON.stringify(report, null, 2)}\n\n# Recent log\n${input.log.recent().join('\n')}\n`;
}
