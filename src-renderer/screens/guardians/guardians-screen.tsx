// The guardian's own view (docs/guardians.md): the shares this person holds for families, each
// checked in main's vault against what the backup committed to, acknowledged once sound; the
// recoveries waiting for them, approved only after they confirm in main; and a freeze for when a
// recovery looks wrong.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { call, messageOf } from '../../ipc/client';
import { shortKey } from '../../ui/short-key';
import { EmptyState, ErrorMessage, Skeleton } from '../../ui/states';
import { TableHead } from '../../ui/table-head';
import { Time } from '../../ui/time';

export const guardingKey = ['guarding'] as const;

export function GuardiansScreen() {
  const client = useQueryClient();
  const session = useQuery({
    queryKey: ['session'],
    queryFn: () => call('session:get', undefined),
  });
  const signedIn = session.data?.state === 'signed-in';
  const view = useQuery({
    queryKey: guardingKey,
    queryFn: () => call('guarding:list', undefined),
    enabled: signedIn,
  });
  const refresh = () => client.invalidateQueries({ queryKey: guardingKey });
  const acknowledge = useMutation({
    mutationFn: (backupId: string) => call('guarding:acknowledge', { backupId }),
    onSuccess: refresh,
  });
  const approve = useMutation({
    mutationFn: (recoveryId: string) => call('guarding:approve', { recoveryId }),
    onSuccess: refresh,
  });
  const [hours, setHours] = useState(24);
  const freeze = useMutation({
    mutationFn: (familyId: string) => call('guarding:freeze', { familyId, hours }),
    onSuccess: refresh,
  });
  if (session.isPending) return <Skeleton label="Checking the companion server" />;
  if (!signedIn)
    return (
      <EmptyState title="Guardians">
        <p>
          Guardians hold a share of a family’s key: none of them alone, nor the server, can open it;
          enough of them together can give it back to a family that lost it. Sign in to the family’s
          companion server to see the families you guard.
        </p>
        <Link to="/settings">Sign in in Settings</Link>
      </EmptyState>
    );
  if (view.isPending) return <Skeleton label="Loading what you guard" />;
  if (view.isError) return <ErrorMessage error={view.error} retry={() => void view.refetch()} />;
  const { shares, recoveries } = view.data;
  const failure = acknowledge.error ?? approve.error ?? freeze.error;
  return (
    <section aria-labelledby="guardians-title" className="stack stack--wide">
      <h1 id="guardians-title">Guardians</h1>
      {recoveries.length > 0 && (
        <section className="card callout callout--warn" aria-labelledby="asks-title">
          <h2 id="asks-title">A family asks for its key back</h2>
          <p className="hint">
            Approve only if the family asked you themselves — call them. Your share goes, sealed, to
            the key named here; with enough approvals that machine gets the key after the family’s
            waiting period, unless their own devices cancel.
          </p>
          <ul className="plain">
            {recoveries.map((r) => (
              <li key={r.recoveryId} className="row">
                <span>
                  <strong>{r.familyName}</strong>: <code>{shortKey(r.publicKey)}</code> to{' '}
                  <code>{shortKey(r.ephemeralPublicKey)}</code> — {r.approvals} of {r.threshold}{' '}
                  approvals, released <Time at={Date.parse(r.releaseAt)} />
                </span>
                {r.approved ? (
                  <span>✓ You approved</span>
                ) : (
                  <button
                    type="button"
                    className="primary"
                    onClick={() => approve.mutate(r.recoveryId)}
                    aria-label={`Approve the recovery for ${r.familyName}`}
                  >
                    Approve
                  </button>
                )}
                <button
                  type="button"
                  onClick={() => freeze.mutate(r.familyId)}
                  aria-label={`Freeze ${r.familyName}’s recoveries`}
                >
                  Freeze
                </button>
              </li>
            ))}
          </ul>
          <div className="row">
            <label htmlFor="freeze-hours">A freeze lasts (hours)</label>
            <input
              id="freeze-hours"
              type="number"
              min={1}
              max={720}
              value={hours}
              onChange={(e) => setHours(Math.min(720, Math.max(1, Number(e.target.value) || 1)))}
              style={{ width: '6rem' }}
            />
          </div>
        </section>
      )}
      {shares.length === 0 ? (
        <p>
          You guard no family yet. A family invites your key as a guardian from its Family screen;
          you accept in the Family screen here.
        </p>
      ) : (
        <table>
          <TableHead
            caption="Shares you hold"
            columns={['Family', 'Key', 'Backup', 'Your share', { hidden: 'Actions' }]}
          />
          <tbody>
            {shares.map((s) => (
              <tr key={s.backupId}>
                <td>{s.familyName}</td>
                <td>
                  <code>{shortKey(s.publicKey)}</code>
                </td>
                <td>
                  {s.threshold} of {s.shareCount}
                </td>
                <td>
                  {s.problem
                    ? `⚠ ${s.problem}`
                    : s.acknowledgedAt
                      ? '✓ checked and acknowledged'
                      : '✓ checked: it matches what the family committed to'}
                </td>
                <td>
                  {!s.acknowledgedAt && !s.problem && (
                    <button
                      type="button"
                      onClick={() => acknowledge.mutate(s.backupId)}
                      aria-label={`Acknowledge your share for ${s.familyName}`}
                    >
                      Acknowledge
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {failure && (
        <p className="field-error" role="alert">
          {messageOf(failure)}
        </p>
      )}
    </section>
  );
}
