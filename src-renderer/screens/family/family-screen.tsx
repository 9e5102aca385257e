// The family at the companion server: the families this person belongs to, invitations
// addressed to their key (accepted with a signature made in main), and creating a family.
// Before signing in, the screen says what connecting gives.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { ipcRequestSchemas } from '../../../src-shared/ipc';
import { call, messageOf } from '../../ipc/client';
import { TextField } from '../../ui/field';
import { EmptyState, ErrorMessage, Skeleton } from '../../ui/states';
import { domainName, familyKeys } from './family-shared';
import { shortKey } from '../../ui/short-key';

function useSession() {
  return useQuery({ queryKey: ['session'], queryFn: () => call('session:get', undefined) });
}

/** Accepting and declining an offer by its id; either answer refreshes what it changes. */
function useAnswers(
  accept: (id: string) => Promise<unknown>,
  decline: (id: string) => Promise<unknown>,
  changes: readonly (readonly unknown[])[],
) {
  const client = useQueryClient();
  const refresh = () =>
    Promise.all(changes.map((queryKey) => client.invalidateQueries({ queryKey })));
  return {
    accept: useMutation({ mutationFn: accept, onSuccess: refresh }),
    decline: useMutation({ mutationFn: decline, onSuccess: refresh }),
  };
}

function Invitations() {
  const invitations = useQuery({
    queryKey: familyKeys.invitations,
    queryFn: () => call('invitations:list', undefined),
  });
  const { accept, decline } = useAnswers(
    (invitationId) => call('invitations:accept', { invitationId }),
    (invitationId) => call('invitations:decline', { invitationId }),
    [familyKeys.invitations, familyKeys.list],
  );
  if (!invitations.data?.length) return null;
  return (
    <section className="card" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations for you</h2>
      <ul className="plain">
        {invitations.data.map((invitation) => (
          <li key={invitation.invitationId} className="row">
            <span>
              Join <strong>{invitation.familyName}</strong> as {invitation.role}
              {invitation.displayName ? ` (“${invitation.displayName}”)` : ''}
            </span>
            <button
              type="button"
              className="primary"
              onClick={() => accept.mutate(invitation.invitationId)}
              disabled={accept.isPending}
            >
              Accept
            </button>
            <button type="button" onClick={() => decline.mutate(invitation.invitationId)}>
              Decline
            </button>
          </li>
        ))}
      </ul>
      {(accept.isError || decline.isError) && (
        <p className="field-error" role="alert">
          {messageOf(accept.error ?? decline.error)}
        </p>
      )}
    </section>
  );
}

/** Who shared: their name and key (a name the server made from the key is not repeated). */
function Sender({ name, publicKey }: { name: string; publicKey: string | null }) {
  if (!publicKey) return <strong>{name}</strong>;
  if (publicKey.startsWith(name)) return <code>{shortKey(publicKey)}</code>;
  return (
    <>
      <strong>{name}</strong> (<code>{shortKey(publicKey)}</code>)
    </>
  );
}

/** Domain keys other members' devices shared with this person: accepted into the keychain. */
function KeyShares() {
  const shares = useQuery({
    queryKey: familyKeys.keyShares,
    queryFn: () => call('key-shares:list', undefined),
  });
  const { accept, decline } = useAnswers(
    (keyShareId) => call('key-shares:accept', { keyShareId }),
    (keyShareId) => call('key-shares:decline', { keyShareId }),
    [familyKeys.keyShares, ['family']],
  );
  if (!shares.data?.length) return null;
  return (
    <section className="card" aria-labelledby="key-shares-title">
      <h2 id="key-shares-title">Domain keys shared with you</h2>
      <p className="hint">
        Accepting keeps the key in this computer’s keychain: you can then edit and publish the
        domain here.
      </p>
      <ul className="plain">
        {shares.data.map((share) => (
          <li key={share.keyShareId} className="row">
            <span>
              <Sender name={share.senderName} publicKey={share.senderPublicKey} /> shares{' '}
              <strong>{domainName(share.domainName)}</strong> ({share.familyName})
            </span>
            <button
              type="button"
              className="primary"
              onClick={() => accept.mutate(share.keyShareId)}
              disabled={accept.isPending}
              aria-label={`Accept the key of ${domainName(share.domainName)}`}
            >
              {accept.isPending && accept.variables === share.keyShareId
                ? 'Opening…'
                : 'Accept key'}
            </button>
            <button
              type="button"
              onClick={() => decline.mutate(share.keyShareId)}
              aria-label={`Decline the key of ${domainName(share.domainName)}`}
            >
              Decline
            </button>
          </li>
        ))}
      </ul>
      {(accept.isError || decline.isError) && (
        <p className="field-error" role="alert">
          {messageOf(accept.error ?? decline.error)}
        </p>
      )}
    </section>
  );
}

function CreateFamily() {
  const client = useQueryClient();
  const form = useForm({
    resolver: zodResolver(ipcRequestSchemas['family:create']),
    defaultValues: { name: '' },
  });
  const create = useMutation({
    mutationFn: (name: string) => call('family:create', { name }),
    onSuccess: () => client.invalidateQueries({ queryKey: familyKeys.list }),
  });
  const onSubmit = form.handleSubmit(async ({ name }) => {
    try {
      await create.mutateAsync(name);
      form.reset();
    } catch (error) {
      form.setError('name', { message: messageOf(error) });
    }
  });
  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="create-family-title">
      <h2 id="create-family-title">Create a family</h2>
      <TextField
        id="family-name"
        label="Family name"
        error={form.formState.errors.name?.message}
        input={{ placeholder: 'e.g. The Smiths', ...form.register('name') }}
      />
      <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
        Create family
      </button>
    </form>
  );
}

export function FamilyScreen() {
  const session = useSession();
  const signedIn = session.data?.state === 'signed-in';
  const families = useQuery({
    queryKey: familyKeys.list,
    queryFn: () => call('family:list', undefined),
    enabled: signedIn,
  });
  if (session.isPending) return <Skeleton label="Checking the companion server" />;
  if (!signedIn) {
    return (
      <EmptyState title="Family">
        <p>
          Connect to your family’s companion server to share domains between your devices, invite
          family members and guardians, and see everyone’s domains and scores live.
        </p>
        <Link to="/settings">Sign in in Settings</Link>
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="family-title" className="stack stack--wide">
      <h1 id="family-title">Family</h1>
      <Invitations />
      <KeyShares />
      {families.isPending ? (
        <Skeleton label="Loading your families" />
      ) : families.isError ? (
        <ErrorMessage error={families.error} retry={() => void families.refetch()} />
      ) : families.data.length === 0 ? (
        <p>You are not in a family yet: create one, or accept an invitation.</p>
      ) : (
        <ul className="plain" aria-label="Your families">
          {families.data.map((f) => (
            <li key={f.id}>
              <Link to={`/family/${f.id}`}>{f.name}</Link>{' '}
              <span className="hint">you are {f.role}</span>
            </li>
          ))}
        </ul>
      )}
      <CreateFamily />
    </section>
  );
}
