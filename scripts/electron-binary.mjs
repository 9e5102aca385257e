// Where the Electron binary is, or undefined when it was never downloaded. Never downloads:
// electron's own `require('electron')` would try to, and fail slowly where its host is unreachable.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function electronBinary() {
  const packageDir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override
    ? join(override, relative ?? 'electron')
    : relative && join(packageDir, 'dist', relative);
  return binary && existsSync(binary) ? binary : undefined;
}
