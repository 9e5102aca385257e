// `npm start` where the Electron binary is missing: one clear line and a non-zero exit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnNode } from '../support/processes';

describe('npm start without the Electron binary', () => {
  it('prints one line saying why and how to get it, and exits non-zero', async () => {
    const emptyDist = await mkdtemp(join(tmpdir(), 'no-electron-'));
    try {
      const run = spawnNode(['scripts/start-electron.mjs'], {
        ELECTRON_OVERRIDE_DIST_PATH: emptyDist,
      });
      const code = await run.exited;
      expect(code).not.toBe(0);
      const lines = run.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/Electron binary is not installed.*install-electron/);
      expect(run.output()).not.toMatch(/\bat .*\.m?js:\d+/);
    } finally {
      await rm(emptyDist, { recursive: true, force: true });
    }
  });
});
