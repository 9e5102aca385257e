// How hard a recovery-file passphrase is to guess, rated by zxcvbn (common passwords, names,
// words, keyboard patterns, dates): the strength meter's source and the bar a recovery file
// must clear. The file is only as strong as this passphrase, whatever Argon2id costs an attacker.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import type { PassphraseRating } from '../../src-shared/ipc';

/** zxcvbn's 3: "safely unguessable: moderate protection from offline slow-hash scenario". */
export const ACCEPTED_SCORE = 3;

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
});

export function ratePassphrase(passphrase: string): PassphraseRating {
  // zxcvbn's cost grows with length; past 100 characters every passphrase is long enough.
  const result = zxcvbn.check(passphrase.slice(0, 100));
  return {
    score: result.score,
    acceptable: passphrase.length >= 8 && result.score >= ACCEPTED_SCORE,
    warning: result.feedback.warning ?? '',
    suggestions: result.feedback.suggestions,
  };
}
