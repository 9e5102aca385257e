// The records of a domain as staged edits: the draft (saved locally at once) against what this
// app last published, with Discard and Publish, and a live size meter that blocks publishing
// above 1000 bytes and names the largest records. `_pubky` records are kept: removing one asks.
import { useMemo, useState } from 'react';
import type { DomainSummary } from '../../../src-shared/ipc';
import {
  measureRecords,
  parsePublicKey,
  recordValueText,
  type DnsRecord,
} from '../../../src-shared/pkarr';
import { messageOf } from '../../ipc/client';
import { usePublish, useRecords, useSaveRecords } from '../../ipc/hooks';
import { EmptyState, ErrorMessage, Skeleton } from '../../ui/states';
import { RecordDialog } from './record-dialog';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { ConflictPanel } from './conflict-panel';
import { recordRows, stagedCount, type RowState } from './record-rows';
import { TableHead } from '../../ui/table-head';

const MARK: Record<RowState, string> = { unchanged: '', new: '+', changed: '~', removed: '−' };
const STATE_WORDS: Record<RowState, string> = {
  unchanged: '',
  new: 'new, not published',
  changed: 'changed, not published',
  removed: 'removed, not published',
};

function SizeMeter({ bytes, limit, largest }: { bytes: number; limit: number; largest: string[] }) {
  const tone = bytes > limit ? 'bad' : bytes >= 900 ? 'warn' : 'ok';
  return (
    <div className={`size-meter size-meter--${tone}`}>
      <label htmlFor="packet-size">Packet</label>
      <meter
        id="packet-size"
        min={0}
        max={limit}
        high={900}
        optimum={0}
        value={Math.min(bytes, limit)}
      />
      <span>
        {bytes} / {limit} bytes
      </span>
      {bytes > limit && (
        <p className="field-error" role="alert">
          Too large to publish by {bytes - limit} bytes. Largest records: {largest.join(', ')}.
        </p>
      )}
    </div>
  );
}

export function RecordsTab({
  domain,
  onPublished,
}: {
  domain: DomainSummary;
  onPublished: () => void;
}) {
  const records = useRecords(domain.publicKey);
  const save = useSaveRecords(domain.publicKey);
  const publish = usePublish(domain.publicKey);
  const [editing, setEditing] = useState<number | undefined>();
  const [dialogOpen, setDialogOpen] = useState(false);
  const [askPubky, setAskPubky] = useState<number | undefined>();
  const [askDiscard, setAskDiscard] = useState(false);

  const drafts = records.data?.drafts ?? [];
  const published = records.data?.published?.records ?? null;
  const rows = useMemo(() => recordRows(drafts, published), [drafts, published]);
  const largest = useMemo(() => {
    const key = parsePublicKey(domain.publicKey);
    return drafts
      .map((r) => ({ r, bytes: measureRecords([r], key).bytes - 12 }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 3)
      .map(({ r, bytes }) => `${r.name} ${r.type} (${bytes} bytes)`);
  }, [drafts, domain.publicKey]);

  if (records.isPending) return <Skeleton rows={4} label="Loading records" />;
  if (records.isError)
    return <ErrorMessage error={records.error} retry={() => void records.refetch()} />;

  const staged = stagedCount(rows);
  const saveDrafts = (next: DnsRecord[]) => save.mutateAsync(next);
  const remove = (index: number) => void saveDrafts(drafts.filter((_, i) => i !== index));
  const size = records.data.size;

  return (
    <div className="stack">
      {records.data.conflict && (
        <ConflictPanel domain={domain.publicKey} records={records.data} onPublished={onPublished} />
      )}
      {rows.length === 0 ? (
        <EmptyState title="No records yet">
          <p>
            Records say where this domain points: a website’s address, mail, text for others to
            check.
          </p>
        </EmptyState>
      ) : (
        <table className="records">
          <TableHead
            caption="Records of this domain"
            columns={[{ hidden: 'Change' }, 'Name', 'Type', 'Value', 'TTL', { hidden: 'Actions' }]}
          />
          <tbody>
            {rows.map((row, i) => (
              <tr key={i} className={`record record--${row.state}`}>
                <td aria-label={STATE_WORDS[row.state]}>{MARK[row.state]}</td>
                <td>{row.record.name}</td>
                <td>{row.record.type}</td>
                <td className="value">
                  {recordValueText(row.record)}
                  {row.record.name === '_pubky' && (
                    <span className="note"> (homeserver — kept)</span>
                  )}
                </td>
                <td>{row.record.ttl}</td>
                <td className="actions">
                  {row.state === 'removed' ? (
                    <button type="button" onClick={() => void saveDrafts([...drafts, row.record])}>
                      Restore
                    </button>
                  ) : (
                    <>
                      <button
                        type="button"
                        aria-label={`Edit ${row.record.name} ${row.record.type}`}
                        onClick={() => {
                          setEditing(row.draftIndex);
                          setDialogOpen(true);
                        }}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        aria-label={`Remove ${row.record.name} ${row.record.type}`}
                        onClick={() =>
                          row.record.name === '_pubky'
                            ? setAskPubky(row.draftIndex)
                            : remove(row.draftIndex)
                        }
                      >
                        Remove
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        <button
          type="button"
          onClick={() => {
            setEditing(undefined);
            setDialogOpen(true);
          }}
        >
          Add record
        </button>
      </div>
      <SizeMeter bytes={size.bytes} limit={size.limit} largest={largest} />
      <div className="row row--end">
        <button
          type="button"
          disabled={staged === 0 || !published}
          onClick={() => setAskDiscard(true)}
        >
          Discard
        </button>
        <button
          type="button"
          className="primary"
          disabled={
            !domain.held ||
            !size.fits ||
            publish.isPending ||
            records.data.conflict !== null ||
            (staged === 0 && published !== null)
          }
          onClick={() =>
            publish.mutate({}, { onSuccess: (r) => r.outcome === 'queued' && onPublished() })
          }
        >
          {publish.isPending
            ? 'Signing…'
            : published === null
              ? 'Publish'
              : `Publish ${staged} ${staged === 1 ? 'change' : 'changes'}`}
        </button>
      </div>
      {!domain.held && (
        <p className="hint">This computer does not hold this domain’s key: it cannot publish.</p>
      )}
      {publish.isError && (
        <p className="field-error" role="alert">
          {messageOf(publish.error)}
        </p>
      )}
      {save.isError && (
        <p className="field-error" role="alert">
          {messageOf(save.error)}
        </p>
      )}
      <RecordDialog
        domain={domain.publicKey}
        drafts={drafts}
        editing={editing}
        open={dialogOpen}
        onOpenChange={setDialogOpen}
        onSave={saveDrafts}
      />
      <ConfirmDialog
        open={askPubky !== undefined}
        onOpenChange={(open) => !open && setAskPubky(undefined)}
        title="Remove the homeserver record?"
        keepLabel="Keep it"
        confirmLabel="Remove _pubky"
        onConfirm={() => askPubky !== undefined && remove(askPubky)}
      >
        The _pubky record tells apps which homeserver holds this domain’s data. Without it, signing
        in to the family’s homeserver with this key stops working until it is added back.
      </ConfirmDialog>
      <ConfirmDialog
        open={askDiscard}
        onOpenChange={setAskDiscard}
        title={`Discard ${staged} unpublished ${staged === 1 ? 'change' : 'changes'}?`}
        keepLabel="Keep editing"
        confirmLabel="Discard changes"
        onConfirm={() => void saveDrafts([...(published ?? [])])}
      >
        The records go back to what this app last published. The changes cannot be brought back.
      </ConfirmDialog>
    </div>
  );
}
