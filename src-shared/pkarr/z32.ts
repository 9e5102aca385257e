// z-base-32 (the human-oriented base32 Pubky uses for public keys): 32 bytes ↔ 52 characters.
import { fail } from './errors';

const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const LOOKUP = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export const PUBLIC_KEY_LENGTH = 32;
export const Z32_KEY_LENGTH = 52;

/**
 * Character codes of the encoding, written into a reused array and turned into one string: built
 * by `+=`, a key was 52 strings (1.6 KB of garbage), and a server checking an upload encodes a
 * key per packet.
 */
const codes: number[] = [];
const APPLY_LIMIT = 8192;

export function z32Encode(bytes: Uint8Array): string {
  codes.length = Math.ceil((bytes.length * 8) / 5);
  let at = 0;
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      codes[at++] = ALPHABET.charCodeAt((buffer >>> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) codes[at++] = ALPHABET.charCodeAt((buffer << (5 - bits)) & 31);
  if (at <= APPLY_LIMIT) return String.fromCharCode.apply(null, codes);
  // An argument list that long could overflow the stack: in slices (keys never get here).
  let out = '';
  for (let from = 0; from < at; from += APPLY_LIMIT) {
    out += String.fromCharCode.apply(null, codes.slice(from, from + APPLY_LIMIT));
  }
  codes.length = 0;
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
