// Child processes for tests that must exercise a real entry point (npm scripts, the server).
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Servers a test starts share one JWT key file of the test's own, never the machine's. */
const jwtSecretFile = join(tmpdir(), `pubky-test-jwt-secret-${process.pid}`);
process.on('exit', () => rmSync(jwtSecretFile, { force: true }));

export interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function spawnNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, JWT_SECRET_FILE: jwtSecretFile, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
