// Three views of a domain: the draft, what this app last published, and what the network serves
// now, target by target, with stale, missing and conflicting targets flagged.
import type { DomainSummary } from '../../../src-shared/ipc';
import { useRecords } from '../../ipc/hooks';
import { NetworkAnswers, RecordList } from '../../ui/network-answers';
import { ErrorMessage, Skeleton } from '../../ui/states';
import { Time } from '../../ui/time';

export function NetworkTab({ domain }: { domain: DomainSummary }) {
  const records = useRecords(domain.publicKey);
  if (records.isPending) return <Skeleton label="Loading records" />;
  if (records.isError)
    return <ErrorMessage error={records.error} retry={() => void records.refetch()} />;
  const published = records.data.published;
  return (
    <div className="stack stack--wide">
      <div className="columns">
        <section aria-labelledby="draft-title" className="card">
          <h2 id="draft-title">Draft</h2>
          <RecordList records={records.data.drafts} label="Draft records" />
        </section>
        <section aria-labelledby="published-title" className="card">
          <h2 id="published-title">Last published by this app</h2>
          {published ? (
            <>
              <p className="hint">
                Signed <Time at={Math.floor(published.timestamp / 1000)} />
              </p>
              <RecordList records={published.records} label="Published records" />
            </>
          ) : (
            <p>Not published yet.</p>
          )}
        </section>
      </div>
      <section aria-labelledby="network-title">
        <h2 id="network-title">What the network serves now</h2>
        <NetworkAnswers publicKey={domain.publicKey} published={published?.timestamp ?? null} />
      </section>
    </div>
  );
}
