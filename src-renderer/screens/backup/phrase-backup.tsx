// The phrase, revealed on request, then three of its words asked back.
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { RevealedPhrase } from '../../../src-shared/ipc';
import { IpcFailure, messageOf } from '../../ipc/client';
import { useConfirmPhrase, useRevealPhrase } from '../../ipc/hooks';
import { TextField } from '../../ui/field';

export function PhraseBackup({ publicKey }: { publicKey: string }) {
  const reveal = useRevealPhrase();
  const confirm = useConfirmPhrase();
  const [phrase, setPhrase] = useState<RevealedPhrase>();
  const [checking, setChecking] = useState(false);
  const form = useForm<{ words: string[] }>({ defaultValues: { words: ['', '', ''] } });

  if (!phrase) {
    return (
      <div className="stack">
        <p>
          Twelve words that stand for this key. Write them on paper, in order, and keep it where you
          keep important documents. Anyone who has them can act as this domain.
        </p>
        <div className="phrase phrase--hidden" aria-hidden="true">
          {Array.from({ length: 12 }, (_, i) => (
            <span key={i}>••••••</span>
          ))}
        </div>
        <button
          type="button"
          className="primary"
          disabled={reveal.isPending}
          onClick={() => reveal.mutate(publicKey, { onSuccess: setPhrase })}
        >
          {reveal.isPending ? 'Revealing…' : 'Reveal the phrase'}
        </button>
        {reveal.isError && (
          <p className="field-error" role="alert">
            {messageOf(reveal.error)}
          </p>
        )}
      </div>
    );
  }

  if (!checking) {
    return (
      <div className="stack">
        <ol className="phrase" aria-label="Recovery phrase">
          {phrase.words.map((word, i) => (
            <li key={i}>{word}</li>
          ))}
        </ol>
        <button type="button" className="primary" onClick={() => setChecking(true)}>
          I have written it down
        </button>
      </div>
    );
  }

  const onSubmit = form.handleSubmit(async ({ words }) => {
    try {
      await confirm.mutateAsync({
        publicKey,
        answers: phrase.check.map((position, i) => ({ position, word: words[i] ?? '' })),
      });
      setPhrase(undefined);
    } catch (error) {
      const wrong = error instanceof IpcFailure ? /Word (\d+)/.exec(error.message)?.[1] : undefined;
      const index = wrong ? phrase.check.indexOf(Number(wrong)) : -1;
      form.setError(index >= 0 ? `words.${index}` : 'root', { message: messageOf(error) });
    }
  });
  const errors = form.formState.errors;
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-labelledby="check-title">
      <h2 id="check-title">Check what you wrote</h2>
      <p>Type these three words from your paper.</p>
      {phrase.check.map((position, i) => (
        <TextField
          key={position}
          id={`word-${position}`}
          label={`Word ${position}`}
          error={errors.words?.[i]?.message}
          input={{
            autoComplete: 'off',
            spellCheck: false,
            autoFocus: i === 0,
            ...form.register(`words.${i}`, { required: `Type word ${position}` }),
          }}
        />
      ))}
      <p className="field-error" role="alert">
        {errors.root?.message}
      </p>
      <div className="row">
        <button type="button" onClick={() => setChecking(false)}>
          Show the phrase again
        </button>
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? 'Checking…' : 'Check'}
        </button>
      </div>
    </form>
  );
}
