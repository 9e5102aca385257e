// One family: its members and their roles (an owner changes roles and removes members), the
// open invitations (an owner revokes them), and inviting a key as owner, member or guardian.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useParams } from 'react-router';
import { z } from 'zod';
import type { FamilyMember, FamilyRole, FamilyView } from '../../../src-shared/ipc';
import { isZ32PublicKey } from '../../../src-shared/pkarr';
import { call, messageOf } from '../../ipc/client';
import { useKeys } from '../../ipc/hooks';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { TextField } from '../../ui/field';
import { shortKey } from '../../ui/short-key';
import { ErrorMessage, Skeleton } from '../../ui/states';
import { familyKeys } from './family-screen';
import { TableHead } from '../../ui/table-head';

const ROLES: readonly FamilyRole[] = ['owner', 'member', 'guardian'];

/** A domain the server names by its key is shown as people see keys. */
export const domainName = (name: string) =>
  isZ32PublicKey(name) ? `pubky://${shortKey(name)}` : name;

const inviteForm = z.object({
  publicKey: z
    .string()
    .trim()
    .refine(isZ32PublicKey, 'Enter their Pubky key (52 characters) or pubky:// address'),
  role: z.enum(['owner', 'member', 'guardian']),
  displayName: z.string().trim().max(200),
});

function Invite({ familyId }: { familyId: string }) {
  const client = useQueryClient();
  const form = useForm({
    resolver: zodResolver(inviteForm),
    defaultValues: { publicKey: '', role: 'member' as const, displayName: '' },
  });
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await call('family:invite', { familyId, ...values });
      form.reset();
      await client.invalidateQueries({ queryKey: familyKeys.one(familyId) });
    } catch (error) {
      form.setError('publicKey', { message: messageOf(error) });
    }
  });
  const errors = form.formState.errors;
  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <p className="hint">They accept in their own app, with their own key.</p>
      <TextField
        id="invite-key"
        label="Their key or pubky:// address"
        error={errors.publicKey?.message}
        input={{ spellCheck: false, autoComplete: 'off', ...form.register('publicKey') }}
      />
      <div className="field">
        <label htmlFor="invite-role">As</label>
        <select id="invite-role" {...form.register('role')} style={{ width: 'auto' }}>
          {ROLES.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
      </div>
      <TextField
        id="invite-name"
        label="Their name in this family (optional)"
        input={form.register('displayName')}
      />
      <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
        Invite
      </button>
    </form>
  );
}

function Domains({ familyId, family }: { familyId: string; family: FamilyView }) {
  const client = useQueryClient();
  const keys = useKeys();
  const register = useMutation({
    mutationFn: (publicKey: string) => call('family:register-domain', { familyId, publicKey }),
    onSuccess: () => client.invalidateQueries({ queryKey: familyKeys.one(familyId) }),
  });
  const registered = new Set(family.domains.map((d) => d.publicKey));
  const unregistered = (keys.data ?? []).filter((k) => !registered.has(k.publicKey));
  const [chosen, setChosen] = useState('');
  const key = chosen || unregistered[0]?.publicKey || '';
  return (
    <section aria-labelledby="family-domains-title" className="stack stack--wide">
      <h2 id="family-domains-title">Domains</h2>
      {family.domains.length === 0 ? (
        <p>No domains yet: register one of your keys below.</p>
      ) : (
        <table>
          <TableHead caption="The family’s domains" columns={['Domain', 'Key', 'Score', 'Here']} />
          <tbody>
            {family.domains.map((d) => (
              <tr key={d.id}>
                <td>
                  {d.heldHere && d.publicKey ? (
                    <Link to={`/domains/${d.publicKey}`}>{domainName(d.name)}</Link>
                  ) : (
                    domainName(d.name)
                  )}
                </td>
                <td>{d.publicKey && <code>{shortKey(d.publicKey)}</code>}</td>
                <td>
                  <Link to={`/family/${familyId}/domains/${d.id}`}>{d.score} / 100</Link>
                </td>
                <td>
                  {d.heldHere
                    ? 'key on this computer'
                    : 'read-only here (another device holds the key)'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {family.role !== 'guardian' && unregistered.length > 0 && (
        <div className="row">
          <label htmlFor="register-key">Register</label>
          <select
            id="register-key"
            value={key}
            onChange={(e) => setChosen(e.target.value)}
            style={{ width: 'auto' }}
          >
            {unregistered.map((k) => (
              <option key={k.publicKey} value={k.publicKey}>
                {k.label || shortKey(k.publicKey)}
              </option>
            ))}
          </select>
          <button
            type="button"
            onClick={() => register.mutate(key)}
            disabled={!key || register.isPending}
          >
            {register.isPending ? 'Registering…' : 'Register as a family domain'}
          </button>
        </div>
      )}
      {register.isError && (
        <p className="field-error" role="alert">
          {messageOf(register.error)}
        </p>
      )}
    </section>
  );
}

export function FamilyDetail() {
  const { familyId = '' } = useParams();
  const client = useQueryClient();
  const family = useQuery({
    queryKey: familyKeys.one(familyId),
    queryFn: () => call('family:get', { familyId }),
  });
  const [removing, setRemoving] = useState<FamilyMember>();
  const refresh = () => client.invalidateQueries({ queryKey: familyKeys.one(familyId) });
  const changeRole = useMutation({
    mutationFn: (input: { userId: string; role: FamilyRole }) =>
      call('family:change-role', { familyId, ...input }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => call('family:remove-member', { familyId, userId }),
    onSuccess: refresh,
  });
  const revoke = useMutation({
    mutationFn: (invitationId: string) =>
      call('family:revoke-invitation', { familyId, invitationId }),
    onSuccess: refresh,
  });
  const back = (
    <p>
      <Link to="/family">← Families</Link>
    </p>
  );
  if (family.isPending) return <Skeleton label="Loading the family" />;
  if (family.isError) {
    // Removed from the family (or it is gone): say so, and the way back.
    return (
      <section className="stack">
        {back}
        <ErrorMessage error={family.error} />
      </section>
    );
  }
  const owner = family.data.role === 'owner';
  const nameOf = (m: FamilyMember) =>
    m.displayName ?? (m.publicKey ? shortKey(m.publicKey) : m.userId);
  return (
    <section aria-labelledby="family-detail-title" className="stack stack--wide">
      {back}
      <h1 id="family-detail-title">{family.data.name}</h1>
      <p className="hint">You are {family.data.role} here.</p>
      <table>
        <TableHead caption="Members" columns={['Name', 'Key', 'Role', { hidden: 'Actions' }]} />
        <tbody>
          {family.data.members.map((m) => (
            <tr key={m.userId}>
              <td>{nameOf(m)}</td>
              <td>{m.publicKey && <code>{shortKey(m.publicKey)}</code>}</td>
              <td>
                {owner ? (
                  <select
                    aria-label={`Role of ${nameOf(m)}`}
                    value={m.role}
                    onChange={(event) =>
                      changeRole.mutate({
                        userId: m.userId,
                        role: event.target.value as FamilyRole,
                      })
                    }
                    style={{ width: 'auto' }}
                  >
                    {ROLES.map((role) => (
                      <option key={role}>{role}</option>
                    ))}
                  </select>
                ) : (
                  m.role
                )}
              </td>
              <td>
                {owner && (
                  <button
                    type="button"
                    onClick={() => setRemoving(m)}
                    aria-label={`Remove ${nameOf(m)}`}
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(changeRole.isError || remove.isError || revoke.isError) && (
        <p className="field-error" role="alert">
          {messageOf(changeRole.error ?? remove.error ?? revoke.error)}
        </p>
      )}
      {family.data.invitations.length > 0 && (
        <section aria-labelledby="pending-title">
          <h2 id="pending-title">Waiting for an answer</h2>
          <ul className="plain">
            {family.data.invitations.map((i) => (
              <li key={i.invitationId} className="row">
                <code>{shortKey(i.publicKey)}</code> as {i.role}
                {owner && (
                  <button type="button" onClick={() => revoke.mutate(i.invitationId)}>
                    Revoke
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <Domains familyId={familyId} family={family.data} />
      {owner && <Invite familyId={familyId} />}
      <ConfirmDialog
        open={removing !== undefined}
        onOpenChange={(open) => !open && setRemoving(undefined)}
        title={`Remove ${removing ? nameOf(removing) : ''} from ${family.data.name}?`}
        keepLabel="Keep them"
        confirmLabel="Remove"
        onConfirm={() => removing && remove.mutate(removing.userId)}
      >
        They lose access to the family’s domains at once, on every device. Their own keys stay
        theirs.
      </ConfirmDialog>
    </section>
  );
}
