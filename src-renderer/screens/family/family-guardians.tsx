// A family's guardians (docs/guardians.md): who guards and whether they checked their share, the
// backups and their health, backing a domain up k of n (main splits and seals; the person confirms
// the guardians in main), the waiting period before a recovery, and every recovery asked — which a
// family device cancels, or an owner's device releases early — with any guardian's freeze.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FamilyView } from '../../../src-shared/ipc';
import { call, messageOf } from '../../ipc/client';
import { shortKey } from '../../ui/short-key';
import { ErrorMessage, Skeleton } from '../../ui/states';
import { TableHead } from '../../ui/table-head';
import { Time } from '../../ui/time';
import { domainName } from './family-shared';

const STATUS: Readonly<Record<string, string>> = {
  none: 'no share yet',
  pending: 'has a share, not yet checked',
  acknowledged: '✓ checked their share',
  revoked: 'removed',
};

export const guardiansKey = (familyId: string) => ['guardians', familyId] as const;

export function FamilyGuardians({ familyId, family }: { familyId: string; family: FamilyView }) {
  const client = useQueryClient();
  const overview = useQuery({
    queryKey: guardiansKey(familyId),
    queryFn: () => call('guardians:overview', { familyId }),
  });
  const refresh = () => client.invalidateQueries({ queryKey: guardiansKey(familyId) });
  const held = family.domains.filter((d) => d.heldHere && d.publicKey);
  const [domain, setDomain] = useState('');
  const [threshold, setThreshold] = useState(3);
  const [waitHours, setWaitHours] = useState<number>();
  const backUp = useMutation({
    mutationFn: () =>
      call('guardians:back-up', {
        familyId,
        publicKey: domain || held[0]!.publicKey!,
        threshold,
      }),
    onSuccess: refresh,
  });
  const setWait = useMutation({
    mutationFn: (hours: number) => call('guardians:set-wait', { familyId, hours }),
  });
  const answer = useMutation({
    mutationFn: (input: { recoveryId: string; answer: 'cancel' | 'approve' }) =>
      call('guardians:answer-recovery', { familyId, ...input }),
    onSuccess: refresh,
  });
  if (overview.isPending) return <Skeleton label="Loading the guardians" />;
  if (overview.isError)
    return <ErrorMessage error={overview.error} retry={() => void overview.refetch()} />;
  const { guardians, backups, recoveries, freezes } = overview.data;
  const owner = family.role === 'owner';
  const open = recoveries.filter((r) => r.status === 'waiting');
  const failure = backUp.error ?? setWait.error ?? answer.error;
  return (
    <section aria-labelledby="guardians-title" className="stack">
      <h2 id="guardians-title">Guardians</h2>
      {open.map((r) => (
        <div
          key={r.recoveryId}
          className="card callout callout--warn"
          role="alert"
          aria-label="A recovery was asked"
        >
          <p>
            Someone asked to recover <code>{shortKey(r.publicKey)}</code> with a new key (
            <code>{shortKey(r.ephemeralPublicKey)}</code>): {r.approvals} of {r.threshold} guardians
            approved; released <Time at={Date.parse(r.releaseAt)} />
            {r.frozenUntil ? ' (frozen by a guardian)' : ''}. If it is not your family, cancel it.
          </p>
          <div className="row">
            <button
              type="button"
              className="primary"
              onClick={() => answer.mutate({ recoveryId: r.recoveryId, answer: 'cancel' })}
            >
              Cancel this recovery
            </button>
            {owner && !r.approvedByOwner && (
              <button
                type="button"
                onClick={() => answer.mutate({ recoveryId: r.recoveryId, answer: 'approve' })}
              >
                It is us: release now
              </button>
            )}
          </div>
        </div>
      ))}
      {freezes.map((f) => (
        <p key={f.publicKey} className="hint" role="status">
          ❄ Recoveries are frozen by the guardian <code>{shortKey(f.publicKey)}</code> until{' '}
          <Time at={Date.parse(f.frozenUntil)} />.
        </p>
      ))}
      {guardians.length === 0 ? (
        <p className="hint">
          No guardians yet: invite people you trust “as guardian” below. Any few of them together
          can give your key back; none alone can.
        </p>
      ) : (
        <table>
          <TableHead caption="The family’s guardians" columns={['Name', 'Key', 'Their share']} />
          <tbody>
            {guardians.map((g) => (
              <tr key={g.guardianId}>
                <td>{g.displayName}</td>
                <td>
                  <code>{shortKey(g.publicKey)}</code>
                </td>
                <td>{STATUS[g.backupStatus] ?? g.backupStatus}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {backups.length > 0 && (
        <table>
          <TableHead caption="Backups" columns={['Key', 'Needs', 'Checked by', 'State']} />
          <tbody>
            {backups.map((b) => (
              <tr key={b.backupId}>
                <td>
                  <code>{shortKey(b.publicKey)}</code>
                </td>
                <td>
                  {b.threshold} of {b.shareCount}
                </td>
                <td>
                  {b.acknowledged} of {b.shareCount}
                </td>
                <td>
                  {b.status === 'active'
                    ? b.reshareNeededSince
                      ? '⚠ a guardian left: back it up again'
                      : b.acknowledged >= b.threshold
                        ? '✓ sound'
                        : 'waiting for guardians to check'
                    : b.status}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {owner && held.length > 0 && guardians.length >= 2 && (
        <div className="card stack" role="group" aria-labelledby="back-up-title">
          <h3 id="back-up-title">Back up a key with the guardians</h3>
          <div className="row">
            <label htmlFor="backup-domain">Key</label>
            <select
              id="backup-domain"
              value={domain || held[0]!.publicKey!}
              onChange={(e) => setDomain(e.target.value)}
              style={{ width: 'auto' }}
            >
              {held.map((d) => (
                <option key={d.id} value={d.publicKey!}>
                  {domainName(d.name)}
                </option>
              ))}
            </select>
            <label htmlFor="backup-threshold">Guardians needed</label>
            <input
              id="backup-threshold"
              type="number"
              min={2}
              max={guardians.length}
              value={Math.min(threshold, guardians.length)}
              onChange={(e) =>
                setThreshold(Math.min(guardians.length, Math.max(2, Number(e.target.value) || 2)))
              }
              style={{ width: '5rem' }}
            />
            <span>of {guardians.length}</span>
            <button type="button" onClick={() => backUp.mutate()} disabled={backUp.isPending}>
              {backUp.isPending ? 'Backing up…' : 'Back up'}
            </button>
          </div>
          <p role="status" className="hint">
            {backUp.data && 'backupId' in backUp.data
              ? '✓ Backed up: each guardian’s app now checks its share.'
              : ''}
          </p>
        </div>
      )}
      {owner && (
        <div className="row">
          <label htmlFor="recovery-wait">Waiting period before a recovery (hours)</label>
          <input
            id="recovery-wait"
            type="number"
            min={0}
            max={720}
            value={waitHours ?? overview.data.recoveryWaitHours}
            onChange={(e) => setWaitHours(Math.min(720, Math.max(0, Number(e.target.value) || 0)))}
            style={{ width: '6rem' }}
          />
          <button
            type="button"
            onClick={() => setWait.mutate(waitHours ?? overview.data.recoveryWaitHours)}
          >
            Save
          </button>
          {setWait.isSuccess && <span role="status">✓ Saved</span>}
        </div>
      )}
      {failure && (
        <p className="field-error" role="alert">
          {messageOf(failure)}
        </p>
      )}
    </section>
  );
}
