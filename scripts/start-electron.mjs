// `npm start`: builds and opens the desktop app. Where Electron's binary is missing, say so in
// one line instead of a download attempt and a stack trace.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { electronBinary } from './electron-binary.mjs';

const require = createRequire(import.meta.url);

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
