// `npm test`: lint, format, type checks, build, vitest (unit + integration on real Postgres and
// a real Secret Service) and Playwright (real Chromium), then one closing line that adds up every
// runner: `N passed, N failed`.
//
// The whole run happens inside a private D-Bus session with a throwaway, unlocked GNOME keyring,
// so tests use a real OS keychain without touching the developer's own.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WRAPPED = 'PUBKY_TEST_KEYRING_SESSION';

function which(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

if (!process.env[WRAPPED]) {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
    if (!which(tool)) {
      console.error(
        `npm test needs ${tool} for a real OS keychain: apt-get install dbus gnome-keyring`,
      );
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
  }
  const keyringHome = mkdtempSync(join(tmpdir(), 'pubky-test-keyring-'));
  const inner = `echo -n test | XDG_DATA_HOME='${keyringHome}' gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec node scripts/test-all.mjs "$@"`;
  const result = spawnSync(
    'dbus-run-session',
    ['--', 'sh', '-c', inner, 'sh', ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, [WRAPPED]: '1' },
    },
  );
  rmSync(keyringHome, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}

const outDir = '.test-output';
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const bin = (name) => join('node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function step(name, command, args, env = {}) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(
    `  ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return result.status === 0;
}

function check(name, command, args) {
  if (step(name, command, args)) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(name);
  }
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

check('eslint', bin('eslint'), ['.', '--max-warnings', '0']);
check('prettier', bin('prettier'), ['--check', '.']);
for (const project of ['tsconfig.shared.json', 'tsconfig.node.json', 'tsconfig.web.json']) {
  check(`tsc -p ${project}`, bin('tsc'), ['-p', project]);
}
check('build (electron-vite)', bin('electron-vite'), ['build']);

/** Adds a test runner's counts; a runner that failed without reporting a failure counts as one. */
function runner(name, ok, counts) {
  if (counts) {
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    totals.skipped += counts.skipped;
  }
  if (!ok) {
    failures.push(name);
    if (!counts || counts.failed === 0) totals.failed += 1;
  }
}

const vitestReport = join(outDir, 'vitest.json');
const vitestOk = step('vitest', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestReport}`,
]);
const vitest = readJson(vitestReport);
runner(
  'vitest',
  vitestOk,
  vitest && {
    passed: vitest.numPassedTests,
    // A file that failed to load has no tests in it but is a failure all the same.
    failed:
      vitest.numFailedTests +
      vitest.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0)
        .length,
    skipped: vitest.numPendingTests + (vitest.numTodoTests ?? 0),
  },
);

const playwrightReport = join(outDir, 'playwright.json');
const playwrightOk = step('playwright', bin('playwright'), ['test', '--reporter=list,json'], {
  PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightReport,
});
const playwright = readJson(playwrightReport);
runner(
  'playwright',
  playwrightOk,
  playwright && {
    passed: playwright.stats.expected + playwright.stats.flaky,
    failed: playwright.stats.unexpected,
    skipped: playwright.stats.skipped,
  },
);

if (failures.length) console.log(`\nfailed: ${failures.join(', ')}`);
const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`\n${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed === 0 && failures.length === 0 ? 0 : 1);
