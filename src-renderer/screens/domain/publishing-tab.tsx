// Each relay and the DHT with its state as it changes (queued, sending, stored, retrying at …
// with the reason), its latency, and the overall result; any target can be retried now.
import { useMutation } from '@tanstack/react-query';
import type { DomainSummary, DomainTarget } from '../../../src-shared/ipc';
import { targetLabel } from '../../../src-shared/publish/targets';
import { call, messageOf } from '../../ipc/client';
import { usePublishStatus } from '../../ipc/hooks';
import { usePublishProgress, type TargetProgress } from '../../ipc/use-main-events';
import { EmptyState, ErrorMessage, Skeleton } from '../../ui/states';
import { Time } from '../../ui/time';
import { TableHead } from '../../ui/table-head';

export const targetName = targetLabel;

type Shown = {
  target: string;
  word: string;
  tone: 'ok' | 'wait' | 'bad';
  detail: string | null;
  at: number | null;
  latencyMs?: number;
  nextAttemptAt?: number;
  attempts: number;
};

function shownOf(target: DomainTarget, live: TargetProgress | undefined): Shown {
  // The live event is newer than the stored row whenever it is about the same or a newer packet.
  if (live) {
    const words = {
      queued: 'queued',
      sending: 'sending…',
      stored: 'stored',
      retrying: 'retrying',
      superseded: 'holds a newer packet',
    };
    return {
      target: target.target,
      // The DHT says how many nodes stored it ("stored on 9 DHT nodes"); a relay adds nothing.
      word:
        live.state === 'stored' && live.detail?.startsWith('stored on')
          ? live.detail
          : words[live.state],
      tone:
        live.state === 'stored'
          ? 'ok'
          : live.state === 'retrying' || live.state === 'superseded'
            ? 'bad'
            : 'wait',
      detail: live.state === 'stored' ? null : live.detail,
      at: live.at,
      ...(live.latencyMs !== undefined ? { latencyMs: live.latencyMs } : {}),
      ...(live.nextAttemptAt !== undefined ? { nextAttemptAt: live.nextAttemptAt } : {}),
      attempts: live.attempts,
    };
  }
  const done = target.state === 'done';
  return {
    target: target.target,
    word: done
      ? 'stored'
      : target.lastError
        ? 'retrying'
        : target.state === 'in_flight'
          ? 'sending…'
          : 'queued',
    tone: done ? 'ok' : target.lastError ? 'bad' : 'wait',
    detail: done ? null : target.lastError,
    at: target.updatedAt,
    ...(target.lastError && !done ? { nextAttemptAt: target.nextAttemptAt } : {}),
    attempts: target.attempts,
  };
}

export function PublishingTab({ domain }: { domain: DomainSummary }) {
  const status = usePublishStatus(domain.publicKey);
  const live = usePublishProgress(domain.publicKey);
  const retry = useMutation({
    mutationFn: (target: string) => call('publish:retry', { domain: domain.publicKey, target }),
  });
  if (status.isPending) return <Skeleton rows={3} label="Loading publishing" />;
  if (status.isError)
    return <ErrorMessage error={status.error} retry={() => void status.refetch()} />;
  if (domain.packetTimestamp === null) {
    return (
      <EmptyState title="Not published yet">
        <p>
          Add records, then Publish: each relay and the DHT will show here as they take the packet.
        </p>
      </EmptyState>
    );
  }
  const rows = domain.targets.map((t) => {
    const progress = live?.get(t.target);
    return shownOf(
      t,
      progress && progress.timestamp >= domain.packetTimestamp! ? progress : undefined,
    );
  });
  const stored = rows.filter((r) => r.tone === 'ok').length;
  const overall =
    domain.health === 'conflict'
      ? 'Conflict: another device published newer records (see Records)'
      : rows.length === 0
        ? 'Stored on this computer only (no targets configured)'
        : stored === rows.length
          ? 'Published'
          : stored > 0
            ? `Partial (${stored} of ${rows.length})`
            : rows.some((r) => r.tone === 'bad')
              ? 'Failed'
              : 'Publishing…';
  return (
    <div className="stack">
      <p className="overall" role="status" aria-live="polite">
        Overall: <strong>{overall}</strong>
      </p>
      <table className="targets">
        <TableHead
          caption="Where this domain’s newest packet is"
          columns={['Target', 'State', 'Latency', 'When', { hidden: 'Actions' }]}
        />
        <tbody>
          {rows.map((row) => (
            <tr key={row.target} className={`target target--${row.tone}`} data-target={row.target}>
              <th scope="row">{targetName(row.target)}</th>
              <td>
                <span aria-hidden="true">
                  {row.tone === 'ok' ? '✓ ' : row.tone === 'bad' ? '⚠ ' : '… '}
                </span>
                {row.word}
                {row.detail && <span className="reason"> — {row.detail}</span>}
                {row.nextAttemptAt !== undefined && row.tone === 'bad' && (
                  <span className="reason">
                    {' '}
                    (try {row.attempts}; next <Time at={row.nextAttemptAt} />)
                  </span>
                )}
              </td>
              <td>{row.latencyMs !== undefined ? `${row.latencyMs} ms` : ''}</td>
              <td>{row.at !== null && <Time at={row.at} />}</td>
              <td>
                {row.tone !== 'ok' && (
                  <button
                    type="button"
                    onClick={() => retry.mutate(row.target)}
                    aria-label={`Retry ${targetName(row.target)} now`}
                  >
                    Retry now
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {retry.isError && (
        <p className="field-error" role="alert">
          {messageOf(retry.error)}
        </p>
      )}
    </div>
  );
}
