// What each relay and the DHT serve for a key, read now, each compared with what this app last
// published: the same, stale (older), newer (another device published: a conflict), or missing.
import { useQuery } from '@tanstack/react-query';
import type { TargetAnswer } from '../../src-shared/ipc';
import { recordValueText, type DnsRecord } from '../../src-shared/pkarr';
import { targetLabel } from '../../src-shared/publish/targets';
import { call } from '../ipc/client';
import { ErrorMessage, Skeleton } from './states';
import { Time } from './time';
import { TableHead } from './table-head';

const targetName = targetLabel;

function verdict(
  answer: TargetAnswer,
  published: number | null,
): { word: string; tone: 'ok' | 'warn' | 'bad' } {
  if (answer.state === 'error') return { word: `could not ask: ${answer.detail}`, tone: 'bad' };
  if (answer.state === 'not_found')
    return {
      word: published === null ? 'nothing' : 'missing',
      tone: published === null ? 'ok' : 'bad',
    };
  if (published === null) return { word: 'serves a packet', tone: 'ok' };
  if (answer.timestamp === published) return { word: 'serves what you published', tone: 'ok' };
  return answer.timestamp < published
    ? { word: 'stale: an older packet', tone: 'warn' }
    : { word: 'newer than yours: another device published', tone: 'bad' };
}

export function RecordList({ records, label }: { records: readonly DnsRecord[]; label: string }) {
  if (records.length === 0) return <p className="hint">No records.</p>;
  return (
    <ul className="record-list" aria-label={label}>
      {records.map((r, i) => (
        <li key={i}>
          <code>
            {r.name} {r.type} {recordValueText(r)} {r.ttl}
          </code>
        </li>
      ))}
    </ul>
  );
}

export function NetworkAnswers({
  publicKey,
  published,
}: {
  publicKey: string;
  published: number | null;
}) {
  const view = useQuery({
    queryKey: ['network', publicKey],
    queryFn: () => call('network:resolve', { publicKey }),
    staleTime: 0,
  });
  if (view.isPending) return <Skeleton rows={3} label="Asking each relay and the DHT" />;
  if (view.isError) return <ErrorMessage error={view.error} retry={() => void view.refetch()} />;
  return (
    <div className="stack">
      <div className="row">
        <span className="hint">
          Asked <Time at={view.data.at} />
        </span>
        <button type="button" onClick={() => void view.refetch()} disabled={view.isFetching}>
          {view.isFetching ? 'Asking…' : 'Ask again'}
        </button>
      </div>
      {view.data.answers.length === 0 ? (
        <p>No relays are configured and the DHT is off: there is nowhere to ask (see Settings).</p>
      ) : (
        <table className="network">
          <TableHead
            caption="What the network serves now"
            columns={['Target', 'Serves', 'Packet', 'Records']}
          />
          <tbody>
            {view.data.answers.map((answer) => {
              const { word, tone } = verdict(answer, published);
              return (
                <tr
                  key={answer.target}
                  className={`answer answer--${tone}`}
                  data-target={answer.target}
                >
                  <th scope="row">
                    {targetName(answer.target)}
                    <span className="hint"> {answer.latencyMs} ms</span>
                  </th>
                  <td>
                    <span aria-hidden="true">{tone === 'ok' ? '✓ ' : '⚠ '}</span>
                    {word}
                  </td>
                  <td>
                    {answer.state === 'found' && <Time at={Math.floor(answer.timestamp / 1000)} />}
                  </td>
                  <td>
                    {answer.state === 'found' && (
                      <RecordList
                        records={answer.records}
                        label={`Records at ${targetName(answer.target)}`}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
