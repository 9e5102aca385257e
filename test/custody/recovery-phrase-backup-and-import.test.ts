// Recovery phrases (issue 19): a new key is made from a 12-word BIP39 phrase as Pubky Ring makes
// them (secret = first 32 bytes of the BIP39 seed, empty passphrase); main shows the phrase once,
// counts the backup only when three words come back right, and imports phrases that the official
// client's derivation turns into the same key. Bad phrases say which word is wrong and write nothing.
import { Keypair } from '@synonymdev/pubky';
import { generateMnemonic, mnemonicToSeedSync } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { MainEvents } from '../../src-main/events';
import { seedFromPhrase } from '../../src-main/custody/recovery-phrase';
import type { IpcChannel, IpcRequest } from '../../src-shared/ipc';
import { freshLocalApp, localDispatch } from '../support/local';

const app = freshLocalApp();
const events = new MainEvents();
const seen: unknown[] = [];
events.subscribe((event, payload) => seen.push({ event, payload }));
const dispatch = localDispatch(app, { events });
async function ok<C extends IpcChannel>(channel: C, request: IpcRequest<C>) {
  const result = await dispatch(channel, request);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as never;
}

/** The key the official client reports for a phrase, derived as Pubky Ring derives it. */
const officialKey = (phrase: string) =>
  Keypair.fromSecret(mnemonicToSeedSync(phrase, '').slice(0, 32)).publicKey.z32();

describe('recovery phrases', () => {
  it('derive the BIP39 test vector’s seed, and the key the official client reports', () => {
    const phrase = `${'abandon '.repeat(11)}about`;
    expect(Buffer.from(seedFromPhrase(phrase)).toString('hex')).toBe(
      '5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1',
    );
  });

  it('import to the key @synonymdev/pubky reports, counted as backed up', async () => {
    for (let i = 0; i < 3; i++) {
      const phrase = generateMnemonic(wordlist, 128);
      const key: { publicKey: string; backup: unknown } = await ok('keys:import-phrase', {
        phrase: `  ${phrase.toUpperCase().replaceAll(' ', '   ')} `,
        label: `imported ${i}`,
      });
      expect(key.publicKey).toBe(officialKey(phrase));
      expect(key.backup).toMatchObject({ method: 'imported' });
    }
  });

  it('a new key shows its phrase once, and is backed up only when three asked words come back', async () => {
    const key: { publicKey: string; backup: unknown; phraseAvailable: boolean } = await ok(
      'keys:create',
      { label: 'family' },
    );
    expect(key).toMatchObject({ backup: null, phraseAvailable: true });
    expect(JSON.stringify(key)).not.toMatch(/\b[a-z]+ [a-z]+ [a-z]+\b/);
    const revealed: { words: string[]; check: number[] } = await ok('keys:reveal-phrase', {
      publicKey: key.publicKey,
    });
    expect(revealed.words).toHaveLength(12);
    expect(officialKey(revealed.words.join(' '))).toBe(key.publicKey);
    expect(new Set(revealed.check).size).toBe(3);

    const answers = revealed.check.map((position) => ({
      position,
      word: revealed.words[position - 1]!,
    }));
    const wrong = [...answers];
    const other = wordlist.find((w) => w !== answers[1]!.word)!;
    wrong[1] = { position: answers[1]!.position, word: other };
    const refused = await dispatch('keys:confirm-phrase', {
      publicKey: key.publicKey,
      answers: wrong,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'PHRASE_MISMATCH' } });
    expect(!refused.ok && refused.error.message).toContain(`Word ${answers[1]!.position}`);
    expect(app.store.backupOf(key.publicKey)).toBeNull();
    // A word that was not asked for does not count either.
    const unasked = [1, 2, 3, 4].find((p) => !revealed.check.includes(p))!;
    expect(
      await dispatch('keys:confirm-phrase', {
        publicKey: key.publicKey,
        answers: [
          { position: unasked, word: revealed.words[unasked - 1]! },
          answers[1]!,
          answers[2]!,
        ],
      }),
    ).toMatchObject({ ok: false, error: { code: 'PHRASE_MISMATCH' } });

    const confirmed: { backup: unknown; phraseAvailable: boolean } = await ok(
      'keys:confirm-phrase',
      {
        publicKey: key.publicKey,
        answers: answers.map((a) => ({ ...a, word: ` ${a.word.toUpperCase()}` })),
      },
    );
    expect(confirmed).toMatchObject({ backup: { method: 'phrase' }, phraseAvailable: false });
    // Checked, the phrase is gone from main: it is never shown again.
    expect(await dispatch('keys:reveal-phrase', { publicKey: key.publicKey })).toMatchObject({
      ok: false,
      error: { code: 'PHRASE_UNAVAILABLE' },
    });
    expect(seen).toContainEqual({ event: 'keys:changed', payload: { publicKey: key.publicKey } });
  });

  it('refuse a wrong word count, an unknown word and a bad checksum, naming the word, writing nothing', async () => {
    const before = app.vault.list();
    const good = generateMnemonic(wordlist, 128).split(' ');
    const swapped = [...good];
    // Some swap of two different words breaks the checksum (most do; find one that does).
    let broken = '';
    for (let i = 1; i < 12 && !broken; i++) {
      const trial = [...good];
      [trial[0], trial[i]] = [trial[i]!, trial[0]!];
      if (trial.join(' ') !== good.join(' ')) {
        try {
          seedFromPhrase(trial.join(' '));
        } catch {
          broken = trial.join(' ');
        }
      }
    }
    swapped[4] = 'notaword';
    const cases: [string, RegExp][] = [
      [good.slice(0, 11).join(' '), /has 12 words; this one has 11/],
      [swapped.join(' '), /Word 5 \(“notaword”\) is not a recovery-phrase word/],
      [broken, /checksum/],
    ];
    for (const [phrase, message] of cases) {
      const result = await dispatch('keys:import-phrase', { phrase, label: '' });
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_PHRASE' } });
      expect(!result.ok && result.error.message).toMatch(message);
    }
    expect(app.vault.list()).toEqual(before);
  });

  it('rates passphrases for the strength meter; a recovery file needs an acceptable one', async () => {
    const weak: { score: number; acceptable: boolean } = await ok('passphrase:rate', {
      passphrase: 'password1',
    });
    expect(weak).toMatchObject({ acceptable: false });
    expect(weak.score).toBeLessThan(3);
    const strong: { acceptable: boolean } = await ok('passphrase:rate', {
      passphrase: 'orbit lantern cactus pebble',
    });
    expect(strong.acceptable).toBe(true);
    const key: { publicKey: string } = await ok('keys:create', { label: 'weak' });
    expect(
      await dispatch('keys:export-recovery', { publicKey: key.publicKey, passphrase: 'password1' }),
    ).toMatchObject({ ok: false, error: { code: 'WEAK_PASSPHRASE' } });
  });
});
