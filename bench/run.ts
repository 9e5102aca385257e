// `npm run bench [-- NAME…]`: runs the named benchmarks (all when none is named) and prints
// one JSON document. BENCH_SECONDS sets the time per measurement (default 3).
import { benchPkarr } from './pkarr';
import { benchScores } from './scores';
import { benchFeed } from './feed';
import { benchApi } from './api';
import { benchApp } from './app';
import { benchDevices } from './devices';
import { benchMigrate } from './migrate';
import { benchGuardians } from './guardians';

const benches: Record<string, (seconds: number) => Promise<Record<string, unknown>>> = {
  pkarr: benchPkarr,
  scores: () => benchScores(),
  feed: () => benchFeed(),
  api: () => benchApi(),
  app: () => benchApp(),
  devices: () => benchDevices(),
  migrate: () => benchMigrate(),
  guardians: () => benchGuardians(),
};

const names = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = names.filter((name) => !benches[name]);
if (unknown.length) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`,
  );
  process.exit(2);
}
const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);
const results: Record<string, unknown>[] = [];
for (const name of names.length ? names : Object.keys(benches)) {
  results.push(await benches[name]!(seconds));
}
console.log(
  JSON.stringify(
    { machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, results },
    null,
    2,
  ),
);
