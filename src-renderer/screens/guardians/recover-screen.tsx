// Getting a key back on a new machine through the family's guardians (docs/guardians.md): the
// domain's key → main makes a one-time key and asks the companion server → waiting (approvals,
// when the family's waiting period ends, a freeze or a cancel) → the key rebuilt, checked, and
// in this computer's keychain.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { z } from 'zod';
import { isZ32PublicKey } from '../../../src-shared/pkarr';
import { call, messageOf } from '../../ipc/client';
import { TextField } from '../../ui/field';
import { shortKey } from '../../ui/short-key';
import { ErrorMessage, Skeleton } from '../../ui/states';
import { Time } from '../../ui/time';

const recoveryKey = ['guardian-recovery'] as const;
const form = z.object({
  publicKey: z
    .string()
    .trim()
    .refine(isZ32PublicKey, 'Enter the domain’s Pubky key (52 characters) or pubky:// address'),
});

function Start() {
  const client = useQueryClient();
  const values = useForm({ resolver: zodResolver(form), defaultValues: { publicKey: '' } });
  const onSubmit = values.handleSubmit(async ({ publicKey }) => {
    try {
      client.setQueryData(recoveryKey, await call('recovery:start', { publicKey }));
    } catch (error) {
      values.setError('publicKey', { message: messageOf(error) });
    }
  });
  return (
    <form className="card stack" onSubmit={onSubmit} noValidate aria-labelledby="recover-start">
      <h2 id="recover-start">Ask your guardians</h2>
      <p className="hint">
        This computer makes a one-time key and asks the family’s companion server (the one in{' '}
        <Link to="/settings">Settings</Link>). Your guardians approve; after the family’s waiting
        period the key comes back here. Your family’s other devices are told, and can cancel.
      </p>
      <TextField
        id="recover-key"
        label="The domain’s key"
        error={values.formState.errors.publicKey?.message}
        input={{ spellCheck: false, autoComplete: 'off', ...values.register('publicKey') }}
      />
      <button type="submit" className="primary" disabled={values.formState.isSubmitting}>
        {values.formState.isSubmitting ? 'Asking…' : 'Ask for the key'}
      </button>
    </form>
  );
}

export function RecoverScreen() {
  const status = useQuery({
    queryKey: recoveryKey,
    queryFn: () => call('recovery:status', undefined),
    // Asked again every few seconds while waiting (approvals and the release come from others).
    refetchInterval: (query) => (query.state.data?.state === 'waiting' ? 3000 : false),
  });
  const client = useQueryClient();
  const again = useMutation({
    mutationFn: () => call('recovery:status', undefined),
    onSuccess: (data) => client.setQueryData(recoveryKey, data),
  });
  return (
    <section aria-labelledby="recover-title" className="stack">
      <h1 id="recover-title">Recover a key with your guardians</h1>
      {status.isPending ? (
        <Skeleton label="Checking for a recovery under way" />
      ) : status.isError ? (
        <ErrorMessage error={status.error} retry={() => void status.refetch()} />
      ) : status.data.state === 'none' ? (
        <Start />
      ) : status.data.state === 'recovered' ? (
        <div className="card stack" role="status">
          <h2>✓ The key is back on this computer</h2>
          <p>
            <code>{shortKey(status.data.publicKey)}</code> was rebuilt from your guardians’ shares
            and checked: it is the domain’s key. Back it up again now.
          </p>
          {status.data.badGuardians.length > 0 && (
            <p className="field-error">
              These guardians’ shares failed their check: {status.data.badGuardians.join(', ')}.
            </p>
          )}
          <div className="row">
            <Link className="button primary" to={`/keys/${status.data.publicKey}/backup`}>
              Back it up
            </Link>
            <Link className="button" to={`/domains/${status.data.publicKey}`}>
              Open the domain
            </Link>
          </div>
        </div>
      ) : (
        <div className="card stack">
          <h2>
            {status.data.state === 'cancelled'
              ? 'The family’s device cancelled this recovery'
              : `Waiting: ${status.data.recovery.approvals} of ${status.data.recovery.threshold} guardians approved`}
          </h2>
          <p role="status">
            Key <code>{shortKey(status.data.recovery.publicKey)}</code> · this computer’s one-time
            key <code>{shortKey(status.data.recovery.ephemeralPublicKey)}</code> (read it to your
            guardians) · released <Time at={Date.parse(status.data.recovery.releaseAt)} />
            {status.data.recovery.frozenUntil ? ' · frozen by a guardian for now' : ''}
          </p>
          <button type="button" onClick={() => again.mutate()} disabled={again.isPending}>
            Check now
          </button>
          {again.isError && (
            <p className="field-error" role="alert">
              {messageOf(again.error)}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
