// The companion server: who this device is signed in as (a key of its own; main signs the
// server's challenge), and signing in or out. Tokens never reach this screen.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, messageOf } from '../../ipc/client';
import { useKeys } from '../../ipc/hooks';
import { shortKey } from '../../ui/short-key';

export function ServerSessionCard() {
  const client = useQueryClient();
  const keys = useKeys();
  const session = useQuery({
    queryKey: ['session'],
    queryFn: () => call('session:get', undefined),
  });
  const [chosen, setChosen] = useState('');
  const changed = (view: unknown) => client.setQueryData(['session'], view);
  const signIn = useMutation({
    mutationFn: (publicKey: string) => call('session:sign-in', { publicKey }),
    onSuccess: changed,
  });
  const signOut = useMutation({
    mutationFn: () => call('session:sign-out', undefined),
    onSuccess: changed,
  });
  const labelOf = (key: string) => {
    const label = keys.data?.find((k) => k.publicKey === key)?.label;
    return label ? `${label} (${shortKey(key)})` : shortKey(key);
  };
  const view = session.data;
  const me = chosen || keys.data?.[0]?.publicKey || '';
  return (
    <fieldset className="card">
      <legend>Companion server</legend>
      {!view ? (
        <p role="status">Checking…</p>
      ) : view.state === 'signed-in' ? (
        <>
          <p className="state state--ok" role="status">
            ✓ Signed in to {new URL(view.server).host} as {labelOf(view.publicKey)}
          </p>
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            {signOut.isPending ? 'Signing out…' : 'Sign out'}
          </button>
        </>
      ) : keys.data?.length ? (
        <>
          <p>
            Sign in to {new URL(view.server).host} to share domains with your family’s other
            devices. The server learns your public key; your keys stay here.
          </p>
          <div className="row">
            <label htmlFor="sign-in-key">Sign in as</label>
            <select
              id="sign-in-key"
              value={me}
              onChange={(event) => setChosen(event.target.value)}
              style={{ width: 'auto' }}
            >
              {keys.data.map((key) => (
                <option key={key.publicKey} value={key.publicKey}>
                  {labelOf(key.publicKey)}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="primary"
              onClick={() => signIn.mutate(me)}
              disabled={!me || signIn.isPending}
            >
              {signIn.isPending ? 'Signing in…' : 'Sign in'}
            </button>
          </div>
        </>
      ) : (
        <p>Create or import a key first: you sign in with one of your keys.</p>
      )}
      {(signIn.isError || signOut.isError) && (
        <p className="field-error" role="alert">
          {messageOf(signIn.error ?? signOut.error)}
        </p>
      )}
    </fieldset>
  );
}
