// Pubky recovery files (compatible with Pubky Ring and @synonymdev/pubky):
// "pubky.org/recovery\n" ‖ nonce(24) ‖ XSalsa20-Poly1305(seed), key = Argon2id(passphrase,
// salt "recovery") with the argon2 crate's defaults (m = 19 MiB, t = 2, p = 1).
import { argon2idAsync } from '@noble/hashes/argon2.js';
import sodium from 'sodium-native';
import { AppError } from '../errors';

const SPEC_LINE = 'pubky.org/recovery';
const LEGACY_SPEC_LINE = 'pkarr.org/recovery';
const SALT = new TextEncoder().encode('recovery');
const NONCE = sodium.crypto_secretbox_NONCEBYTES;
const MAC = sodium.crypto_secretbox_MACBYTES;
export const MIN_PASSPHRASE_LENGTH = 8;

const view = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

async function fileKey(passphrase: string): Promise<Buffer> {
  const derived = await argon2idAsync(new TextEncoder().encode(passphrase), SALT, {
    t: 2,
    m: 19456,
    p: 1,
    dkLen: 32,
  });
  const key = sodium.sodium_malloc(32);
  key.set(derived);
  derived.fill(0);
  return key;
}

export async function createRecoveryFile(
  seed: Uint8Array,
  passphrase: string,
): Promise<Uint8Array> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new AppError(
      'WEAK_PASSPHRASE',
      `A recovery passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters.`,
    );
  }
  const key = await fileKey(passphrase);
  const header = Buffer.from(`${SPEC_LINE}\n`);
  const out = Buffer.alloc(header.length + NONCE + seed.length + MAC);
  header.copy(out);
  const nonce = out.subarray(header.length, header.length + NONCE);
  sodium.randombytes_buf(nonce);
  sodium.crypto_secretbox_easy(out.subarray(header.length + NONCE), view(seed), nonce, key);
  sodium.sodium_memzero(key);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Opens a recovery file; the returned seed is the caller's to wipe. */
export async function openRecoveryFile(file: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const newline = file.indexOf(10);
  const spec = newline < 0 ? '' : new TextDecoder().decode(file.subarray(0, newline));
  if (spec !== SPEC_LINE && spec !== LEGACY_SPEC_LINE) {
    throw new AppError('INVALID_RECOVERY_FILE', 'This is not a Pubky recovery file.');
  }
  const body = file.subarray(newline + 1);
  if (body.length !== NONCE + 32 + MAC) {
    throw new AppError('INVALID_RECOVERY_FILE', 'The recovery file is damaged (wrong length).');
  }
  const key = await fileKey(passphrase);
  const seed = sodium.sodium_malloc(32);
  const opened = sodium.crypto_secretbox_open_easy(
    seed,
    view(body.subarray(NONCE)),
    view(body.subarray(0, NONCE)),
    key,
  );
  sodium.sodium_memzero(key);
  if (!opened) {
    throw new AppError('WRONG_PASSPHRASE', 'The passphrase does not open this recovery file.');
  }
  return seed;
}
