// A recovery file: a passphrase rated as it is typed (main rates it; the file is only as strong
// as the passphrase), typed twice, then main asks where to save it.
import { useEffect, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import type { PassphraseRating } from '../../../src-shared/ipc';
import { call, IpcFailure, messageOf } from '../../ipc/client';
import { useExportRecoveryFile } from '../../ipc/hooks';
import { TextField } from '../../ui/field';

const WORDS = ['Too easy to guess', 'Weak', 'Fair', 'Strong', 'Very strong'];

function useRating(passphrase: string): PassphraseRating | undefined {
  const [rating, setRating] = useState<PassphraseRating>();
  useEffect(() => {
    if (!passphrase) {
      setRating(undefined);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      call('passphrase:rate', { passphrase }).then(
        (result) => current && setRating(result),
        () => current && setRating(undefined),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [passphrase]);
  return rating;
}

export function RecoveryFileBackup({ publicKey, label }: { publicKey: string; label: string }) {
  const exportFile = useExportRecoveryFile();
  const [savedTo, setSavedTo] = useState<string>();
  const form = useForm({ defaultValues: { passphrase: '', repeat: '' } });
  const passphrase = useWatch({ control: form.control, name: 'passphrase' });
  const rating = useRating(passphrase);

  const onSubmit = form.handleSubmit(async (values) => {
    if (values.repeat !== values.passphrase) {
      form.setError('repeat', { message: 'The two passphrases differ.' });
      return;
    }
    try {
      const result = await exportFile.mutateAsync({ publicKey, passphrase: values.passphrase });
      if (result.saved) {
        setSavedTo(result.path);
        form.reset();
      } else {
        form.setError('root', { message: 'Not saved: you closed the save dialog.' });
      }
    } catch (error) {
      const field =
        error instanceof IpcFailure && error.code === 'WEAK_PASSPHRASE' ? 'passphrase' : 'root';
      form.setError(field, { message: messageOf(error) });
    }
  });
  const errors = form.formState.errors;
  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <p>
        A file that holds {label || 'this key'}, locked with a passphrase. Keep it off this computer
        (a USB stick, another device); you will need both the file and the passphrase.
      </p>
      <TextField
        id="new-passphrase"
        label="Passphrase"
        describedBy="strength"
        error={errors.passphrase?.message}
        input={{
          type: 'password',
          autoComplete: 'new-password',
          ...form.register('passphrase', { required: 'Choose a passphrase' }),
        }}
      />
      <div id="strength" className="strength" aria-live="polite">
        <meter
          min={0}
          max={4}
          low={2}
          high={3}
          optimum={4}
          value={rating?.score ?? 0}
          aria-label="Passphrase strength"
        />
        <span>
          {rating
            ? WORDS[rating.score]
            : passphrase
              ? 'Rating…'
              : 'Four or five unrelated words work well.'}
          {rating && !rating.acceptable
            ? ` — ${rating.warning || rating.suggestions[0] || 'make it longer'}`
            : ''}
        </span>
      </div>
      <TextField
        id="repeat-passphrase"
        label="Passphrase again"
        error={errors.repeat?.message ?? errors.root?.message}
        input={{
          type: 'password',
          autoComplete: 'new-password',
          ...form.register('repeat', { required: 'Type the passphrase again' }),
        }}
      />
      <button
        type="submit"
        className="primary"
        disabled={form.formState.isSubmitting || (rating !== undefined && !rating.acceptable)}
      >
        {form.formState.isSubmitting ? 'Saving…' : 'Save the recovery file…'}
      </button>
      {savedTo && (
        <p className="state state--ok" role="status">
          ✓ Saved to {savedTo}
        </p>
      )}
    </form>
  );
}
