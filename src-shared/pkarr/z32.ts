// z-base-32 (the human-oriented base32 Pubky uses for public keys): 32 bytes ↔ 52 characters.
import { fail } from './errors';

const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const LOOKUP = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export const PUBLIC_KEY_LENGTH = 32;
export const Z32_KEY_LENGTH = 52;

export function z32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Strict decode: unknown characters and non-zero padding bits are errors, not ignored. */
export function z32Decode(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (LOOKUP[code] as number) : -1;
    if (value < 0) fail('INVALID_Z32', `"${text[i]}" at ${i} is not a z-base-32 character`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >>> bits) & 0xff;
      buffer &= (1 << bits) - 1;
    }
  }
  if (buffer !== 0) fail('INVALID_Z32', 'z-base-32 text has non-zero padding bits');
  return out;
}

/** Parses a public key as people write it: z32, optionally with a `pk:` or `pubky://` prefix. */
export function parsePublicKey(input: string): Uint8Array {
  let text = input.trim();
  if (text.startsWith('pubky://')) text = text.slice(8).split('/')[0] ?? '';
  else if (text.startsWith('pk:')) text = text.slice(3);
  if (text.length !== Z32_KEY_LENGTH) {
    fail(
      'INVALID_PUBLIC_KEY',
      `a public key is ${Z32_KEY_LENGTH} z-base-32 characters, got ${text.length}`,
    );
  }
  const bytes = z32Decode(text.toLowerCase());
  if (bytes.length !== PUBLIC_KEY_LENGTH) fail('INVALID_PUBLIC_KEY', 'public key must be 32 bytes');
  return bytes;
}

export function isZ32PublicKey(text: string): boolean {
  try {
    parsePublicKey(text);
    return true;
  } catch {
    return false;
  }
}
