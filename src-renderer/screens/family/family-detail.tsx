// One family: its members and their roles (an owner changes roles and removes members), the
// open invitations (an owner revokes them), inviting a key as owner, member or guardian; its
// domains with who holds each key, sharing a key with another member's devices, the scores
// lowest first, and what happened lately (the live feed, kept by main).
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useParams } from 'react-router';
import { z } from 'zod';
import type { ActivityEntry, FamilyMember, FamilyRole, FamilyView } from '../../../src-shared/ipc';
import { recordValueText, type DnsRecord } from '../../../src-shared/pkarr';
import { isZ32PublicKey } from '../../../src-shared/pkarr';
import { Time } from '../../ui/time';
import { call, messageOf } from '../../ipc/client';
import { useKeys } from '../../ipc/hooks';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { TextField } from '../../ui/field';
import { shortKey } from '../../ui/short-key';
import { ErrorMessage, Skeleton } from '../../ui/states';
import { domainName, familyKeys } from './family-shared';
import { TableHead } from '../../ui/table-head';
import { FamilyGuardians } from './family-guardians';

const ROLES: readonly FamilyRole[] = ['owner', 'member', 'guardian'];

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
                    : `read-only here (${
                        d.holders.length
                          ? `the key is with ${d.holders.join(', ')}`
                          : 'another device holds the key'
                      })`}
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
      {family.role !== 'guardian' && <ShareKey familyId={familyId} family={family} />}
    </section>
  );
}

/** Gives another owner's or member's devices a domain key this computer holds (sealed in main). */
function ShareKey({ familyId, family }: { familyId: string; family: FamilyView }) {
  const session = useQuery({
    queryKey: ['session'],
    queryFn: () => call('session:get', undefined),
  });
  const myId = session.data?.state === 'signed-in' ? session.data.userId : undefined;
  const held = family.domains.filter((d) => d.heldHere);
  const others = family.members.filter((m) => m.userId !== myId && m.role !== 'guardian');
  const [domainId, setDomainId] = useState('');
  const [userId, setUserId] = useState('');
  const share = useMutation({
    mutationFn: (input: { domainId: string; userId: string }) =>
      call('family:share-key', { familyId, ...input }),
  });
  if (held.length === 0 || others.length === 0) return null;
  const chosenDomain = domainId || held[0]!.id;
  const chosenUser = userId || others[0]!.userId;
  const memberName = (m: FamilyMember) =>
    m.displayName ?? (m.publicKey ? shortKey(m.publicKey) : m.userId);
  return (
    <div className="card stack" aria-labelledby="share-key-title" role="group">
      <h3 id="share-key-title">Share a domain key</h3>
      <p className="hint">
        Their app can then edit and publish the domain too. The key travels sealed to their key; the
        server cannot open it. You will be asked to check their key first.
      </p>
      <div className="row">
        <label htmlFor="share-domain">Domain</label>
        <select
          id="share-domain"
          value={chosenDomain}
          onChange={(e) => setDomainId(e.target.value)}
          style={{ width: 'auto' }}
        >
          {held.map((d) => (
            <option key={d.id} value={d.id}>
              {domainName(d.name)}
            </option>
          ))}
        </select>
        <label htmlFor="share-member">with</label>
        <select
          id="share-member"
          value={chosenUser}
          onChange={(e) => setUserId(e.target.value)}
          style={{ width: 'auto' }}
        >
          {others.map((m) => (
            <option key={m.userId} value={m.userId}>
              {memberName(m)}
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() => share.mutate({ domainId: chosenDomain, userId: chosenUser })}
          disabled={share.isPending}
        >
          {share.isPending ? 'Sharing…' : 'Share key'}
        </button>
      </div>
      <p role="status" className={share.isError ? 'field-error' : 'hint'}>
        {share.isError
          ? messageOf(share.error)
          : share.data?.shared === true
            ? '✓ Shared: their app asks them to accept it.'
            : share.data?.shared === false
              ? 'Not shared.'
              : ''}
      </p>
    </div>
  );
}

/** Every domain's score, lowest first: where the family is least sovereign comes first. */
function ScoreOverview({ familyId, family }: { familyId: string; family: FamilyView }) {
  if (family.domains.length < 1) return null;
  const lowestFirst = [...family.domains].sort(
    (a, b) => a.score - b.score || a.name.localeCompare(b.name),
  );
  return (
    <section aria-labelledby="scores-title">
      <h2 id="scores-title">Sovereignty, lowest first</h2>
      <ol className="plain score-overview" aria-label="Scores, lowest first">
        {lowestFirst.map((d) => (
          <li key={d.id} className="row">
            <Link to={`/family/${familyId}/domains/${d.id}`}>{domainName(d.name)}</Link>
            <meter min={0} max={100} low={50} high={80} optimum={100} value={d.score}>
              {d.score}
            </meter>
            <span>{d.score} / 100</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

const OPS: Readonly<Record<string, string>> = {
  member_added: 'A member joined',
  member_removed: 'A member left',
  member_role_changed: 'A member’s role changed',
  key_shared: 'A domain key was shared',
  key_share_closed: 'A shared domain key was answered',
  backup_needs_reshare: 'A guardian backup needs fresh shares',
};

const MIGRATION_WORDS: Readonly<Record<string, string>> = {
  pending: 'planned',
  in_progress: 'publishing',
  verifying: 'checking every relay and the DHT',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  rolled_back: 'rolled back',
};

const recordLine = (r: DnsRecord) => `${r.type} ${r.name} ${recordValueText(r)}`;

/** What one entry says, a publish as what changed from the one before it. */
function describe(entry: ActivityEntry, before: ActivityEntry | undefined, name: string): string {
  switch (entry.kind) {
    case 'pkarr_record_event': {
      if (!entry.records) return `${name}: new records published`;
      const now = entry.records.map(recordLine);
      if (!before?.records) return `${name} published: ${now.join(' · ') || 'no records'}`;
      const then = before.records.map(recordLine);
      const added = now.filter((line) => !then.includes(line)).map((line) => `+ ${line}`);
      const removed = then.filter((line) => !now.includes(line)).map((line) => `− ${line}`);
      const changes = [...added, ...removed];
      return `${name} published: ${changes.join(' · ') || 'the same records again'}`;
    }
    case 'sovereignty_score_event':
      return `${name}: score ${entry.score ?? '?'} / 100`;
    case 'domain_migration_event':
      return `${name}: moving from DNS — ${MIGRATION_WORDS[entry.op] ?? entry.op}`;
    case 'pubky_domain_event':
      return `${name}: ${entry.op === 'insert' ? 'registered' : 'changed'}`;
    default:
      return OPS[entry.op] ?? `${entry.kind.replace(/_/g, ' ')}: ${entry.op}`;
  }
}

function Activity({ familyId, family }: { familyId: string; family: FamilyView }) {
  const activity = useQuery({
    queryKey: familyKeys.activity(familyId),
    queryFn: () => call('family:activity', { familyId }),
  });
  const nameOfKey = (key: string | null) => {
    const domain = family.domains.find((d) => d.publicKey === key);
    return domain ? domainName(domain.name) : key ? domainName(key) : 'A domain';
  };
  const entries = activity.data ?? [];
  const lines = entries.map((entry, i) => {
    const before = entries
      .slice(0, i)
      .reverse()
      .find((e) => e.kind === entry.kind && e.domain === entry.domain && e.records);
    return { entry, text: describe(entry, before, nameOfKey(entry.domain)) };
  });
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      {activity.isPending ? (
        <Skeleton label="Loading the family’s activity" />
      ) : activity.isError ? (
        <ErrorMessage error={activity.error} retry={() => void activity.refetch()} />
      ) : lines.length === 0 ? (
        <p className="hint">
          Nothing yet: publishes from the family’s devices, score changes and members joining show
          here as they happen.
        </p>
      ) : (
        <ol className="plain activity" aria-label="What happened, newest last">
          {lines.slice(-50).map(({ entry, text }) => (
            <li key={entry.seq}>
              <Time at={entry.at} /> <span>{text}</span>
            </li>
          ))}
        </ol>
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
      <ScoreOverview familyId={familyId} family={family.data} />
      <Activity familyId={familyId} family={family.data} />
      {family.data.role !== 'guardian' && (
        <FamilyGuardians familyId={familyId} family={family.data} />
      )}
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
