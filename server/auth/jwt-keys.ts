// The JWT signing keys come from the operator, never from the database: whoever reads a backup
// of Postgres must not be able to mint sessions. JWT_SECRET_FILE holds the key (base64, at least
// 32 bytes); on first start, when that file does not exist, the server generates it (mode 0600).
// During a rotation JWT_PREVIOUS_SECRET_FILE names the old key, still accepted, never used to sign.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../config';
import type { JwtKeys } from './auth-service';

async function readKey(path: string, name: string): Promise<Uint8Array> {
  const text = (await readFile(path, 'utf8')).trim();
  const key = Buffer.from(text, 'base64');
  if (key.length < 32 || key.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, ''))
    throw new ConfigError(`${name} (${path}) must hold at least 32 bytes in base64`);
  return key;
}

/** Generates a new key file; it fails rather than overwrite one. */
export async function generateJwtKeyFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
}

export async function loadJwtKeys(
  config: { jwtSecretFile: string; jwtPreviousSecretFile: string | undefined },
  log: (message: string) => void,
): Promise<JwtKeys> {
  let current: Uint8Array;
  try {
    current = await readKey(config.jwtSecretFile, 'JWT_SECRET_FILE');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await generateJwtKeyFile(config.jwtSecretFile).catch((generating: NodeJS.ErrnoException) => {
      // Another server process generated it first: read theirs.
      if (generating.code !== 'EEXIST') throw generating;
    });
    log(`generated a JWT signing key in ${config.jwtSecretFile} (keep it out of database backups)`);
    current = await readKey(config.jwtSecretFile, 'JWT_SECRET_FILE');
  }
  const previous = config.jwtPreviousSecretFile
    ? await readKey(config.jwtPreviousSecretFile, 'JWT_PREVIOUS_SECRET_FILE')
    : undefined;
  return { current, previous };
}
