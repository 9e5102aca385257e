// Issue 17 item 12: as root, the embedded Postgres binaries may be run from a copy in the temp
// dir, which everyone can write. A copy found there is used only when root made it and nobody
// else can have changed it.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTrustedCopy } from '../../server/db/embedded-postgres';

const root = await mkdtemp(join(tmpdir(), 'pubky-pg-copy-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function tree(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'bin'), { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
  await symlink('postgres', join(dir, 'bin', 'postmaster'));
  return dir;
}

// Ownership is what is checked: only root can make files of another owner to test it with.
describe.runIf(process.getuid?.() === 0)('a copy of the Postgres binaries', () => {
  it('is trusted when root made it and nothing in it is writable by others', async () => {
    expect(await isTrustedCopy(await tree('good'))).toBe(true);
  });

  it('is not trusted when another user planted it or could change it', async () => {
    const planted = await tree('planted');
    execFileSync('chown', ['-R', '65534:65534', planted]);
    expect(await isTrustedCopy(planted)).toBe(false);

    const writable = await tree('writable');
    await chmod(join(writable, 'bin', 'postgres'), 0o777);
    expect(await isTrustedCopy(writable)).toBe(false);

    const openDir = await tree('open-dir');
    await chmod(join(openDir, 'bin'), 0o777);
    expect(await isTrustedCopy(openDir)).toBe(false);

    expect(await isTrustedCopy(join(root, 'missing'))).toBe(false);
  });
});
