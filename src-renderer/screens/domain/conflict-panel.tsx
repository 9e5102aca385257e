// Another device holding this key published newer records than ours. Both sets side by side;
// the person adopts theirs or publishes theirs-or-ours on top. Nothing is overwritten silently.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DomainRecords } from '../../../src-shared/ipc';
import { targetLabel } from '../../../src-shared/publish/targets';
import { call, messageOf } from '../../ipc/client';
import { queryKeys, usePublish } from '../../ipc/hooks';
import { RecordList } from '../../ui/network-answers';
import { Time } from '../../ui/time';

export function ConflictPanel({
  domain,
  records,
  onPublished,
}: {
  domain: string;
  records: DomainRecords;
  onPublished: () => void;
}) {
  const client = useQueryClient();
  const adopt = useMutation({
    mutationFn: () => call('records:adopt', { domain }),
    onSuccess: (adopted) => {
      client.setQueryData(queryKeys.records(domain), adopted);
      return client.invalidateQueries({ queryKey: queryKeys.domains });
    },
  });
  const publish = usePublish(domain);
  const conflict = records.conflict!;
  const where = conflict.source === 'republish' ? 'the network' : targetLabel(conflict.source);
  return (
    <section className="conflict" aria-labelledby="conflict-title" role="region">
      <h2 id="conflict-title">⚠ Conflict: another device published newer records</h2>
      <p>
        {where} holds records signed with this key{' '}
        <Time at={Math.floor(conflict.timestamp / 1000)} />, newer than what this app published.
        Compare them and choose; nothing changes until you do.
      </p>
      <div className="columns">
        <div className="card">
          <h3>Theirs (newer)</h3>
          <RecordList records={conflict.records} label="Their records" />
        </div>
        <div className="card">
          <h3>Yours (this draft)</h3>
          <RecordList records={records.drafts} label="Your records" />
        </div>
      </div>
      <div className="row">
        <button
          type="button"
          className="primary"
          onClick={() => adopt.mutate()}
          disabled={adopt.isPending}
        >
          {adopt.isPending ? 'Adopting…' : 'Adopt theirs'}
        </button>
        <button
          type="button"
          onClick={() => publish.mutate({ onTop: true }, { onSuccess: onPublished })}
          disabled={publish.isPending || !records.size.fits}
        >
          Publish yours on top
        </button>
      </div>
      {(adopt.isError || publish.isError) && (
        <p className="field-error" role="alert">
          {messageOf(adopt.error ?? publish.error)}
        </p>
      )}
    </section>
  );
}
