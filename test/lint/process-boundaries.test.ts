// The process boundaries are enforced by ESLint, not by review: files that cross them fail lint.
import { ESLint } from 'eslint';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

async function lintNewFile(path: string, source: string) {
  await writeFile(path, source);
  try {
    const [result] = await new ESLint().lintFiles([path]);
    return result?.messages ?? [];
  } finally {
    await rm(path, { force: true });
  }
}

const suffix = () => randomBytes(4).toString('hex');

describe('lint keeps the process boundaries', () => {
  it('rejects a Node built-in imported into src-shared', async () => {
    const messages = await lintNewFile(
      `src-shared/boundary-probe-${suffix()}.ts`,
      "import { readFileSync } from 'node:fs';\nexport const probe = readFileSync;\n",
    );
    expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });

  it('rejects a DOM global used in src-shared', async () => {
    const messages = await lintNewFile(
      `src-shared/boundary-probe-${suffix()}.ts`,
      'export const probe = () => document.title;\n',
    );
    expect(messages.map((m) => m.ruleId)).toContain('no-restricted-globals');
  });

  it('rejects src-main imported into src-renderer', async () => {
    const messages = await lintNewFile(
      `src-renderer/boundary-probe-${suffix()}.ts`,
      "import { createHandlers } from '../src-main/handlers';\nexport const probe = createHandlers;\n",
    );
    expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });

  it('rejects desktop code imported into the server', async () => {
    const messages = await lintNewFile(
      `server/boundary-probe-${suffix()}.ts`,
      "import { createHandlers } from '../src-main/handlers';\nexport const probe = createHandlers;\n",
    );
    expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });

  it('rejects the server imported into src-main', async () => {
    const messages = await lintNewFile(
      `src-main/boundary-probe-${suffix()}.ts`,
      "import { startServer } from '../server/start';\nexport const probe = startServer;\n",
    );
    expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });

  it('rejects app or server code imported into src-node, and Electron', async () => {
    for (const source of [
      "import { createHandlers } from '../src-main/handlers';\nexport const probe = createHandlers;\n",
      "import { startServer } from '../server/start';\nexport const probe = startServer;\n",
      "import { app } from 'electron';\nexport const probe = app;\n",
    ]) {
      const messages = await lintNewFile(`src-node/boundary-probe-${suffix()}.ts`, source);
      expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    }
  });

  it('accepts src-node imported into src-main and the server', async () => {
    for (const folder of ['src-main', 'server']) {
      const messages = await lintNewFile(
        `${folder}/boundary-probe-${suffix()}.ts`,
        "import { nativeVerifier } from '../src-node/native-ed25519';\nexport const probe = nativeVerifier;\n",
      );
      expect(messages).toEqual([]);
    }
  });

  it('rejects an import cycle', async () => {
    const a = `server/cycle-probe-a-${suffix()}`;
    const b = `server/cycle-probe-b-${suffix()}`;
    await writeFile(`${b}.ts`, `import { a } from './${a.slice(7)}';\nexport const b = () => a;\n`);
    try {
      const messages = await lintNewFile(
        `${a}.ts`,
        `import { b } from './${b.slice(7)}';\nexport const a = () => b;\n`,
      );
      expect(messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
    } finally {
      await rm(`${b}.ts`, { force: true });
    }
  });

  it('accepts src-shared imported into src-renderer', async () => {
    const messages = await lintNewFile(
      `src-renderer/boundary-probe-${suffix()}.ts`,
      "import { APP_NAME } from '../src-shared/app-info';\nexport const probe = APP_NAME;\n",
    );
    expect(messages).toEqual([]);
  });
});
