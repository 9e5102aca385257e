// Recovery phrases as Pubky Ring makes them: 12 BIP39 English words (128 bits of entropy), and
// the ed25519 secret is the first 32 bytes of the BIP39 seed with an empty passphrase
// (docs/protocol.md). Checked word by word so the person learns which word is wrong.
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { AppError } from '../errors';

export const PHRASE_WORDS = 12;

/** A new 12-word phrase from the OS CSPRNG. */
export function newPhrase(): string {
  return generateMnemonic(wordlist, 128);
}

/** The words of a phrase as typed: any spacing or case, one word per whitespace run. */
export function phraseWords(phrase: string): string[] {
  return phrase.normalize('NFKD').trim().toLowerCase().split(/\s+/).filter(Boolean);
}

const known = new Set(wordlist);

/** The 32-byte ed25519 seed a phrase stands for; the caller wipes it. */
export function seedFromPhrase(phrase: string): Uint8Array {
  const words = phraseWords(phrase);
  if (words.length !== PHRASE_WORDS) {
    throw new AppError(
      'INVALID_PHRASE',
      `A recovery phrase has ${PHRASE_WORDS} words; this one has ${words.length}.`,
    );
  }
  const unknown = words.findIndex((word) => !known.has(word));
  if (unknown >= 0) {
    throw new AppError(
      'INVALID_PHRASE',
      `Word ${unknown + 1} (“${words[unknown]!.slice(0, 20)}”) is not a recovery-phrase word. Check its spelling.`,
    );
  }
  const mnemonic = words.join(' ');
  if (!validateMnemonic(mnemonic, wordlist)) {
    throw new AppError(
      'INVALID_PHRASE',
      'These words are not a recovery phrase: one of them is wrong or two are swapped (the checksum does not match).',
    );
  }
  const seed = mnemonicToSeedSync(mnemonic, '');
  const secret = seed.slice(0, 32);
  seed.fill(0);
  return secret;
}
