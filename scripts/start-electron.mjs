// `npm start`: builds and opens the desktop app. Electron's binary is fetched on first run from
// its download host; where that is missing, say so in one line instead of a download attempt
// and a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function electronBinary() {
  const packageDir = dirname(require.resolve('electron/package.json'));
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  if (override) {
    const binary = join(override, relative ?? 'electron');
    return existsSync(binary) ? binary : undefined;
  }
  if (!relative) return undefined;
  const binary = join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : undefined;
}

if (!electronBinary()) {
  console.error(
    'pubky-domains: the Electron binary is not installed (node_modules/electron/dist is missing); run `npx install-electron` where its download host is reachable, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron build.',
  );
  process.exit(1);
}

const run = (args) =>
  spawnSync(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), ...args], {
    stdio: 'inherit',
  }).status ?? 1;

process.exit(run(['build']) || run(['preview']));
