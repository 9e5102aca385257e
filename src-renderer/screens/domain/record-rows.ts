// The staged view of a domain's records: the draft against what this app last published, each
// row marked new, changed, removed or unchanged (Bob Wallet's staged edits).
import { recordValueText, type DnsRecord } from '../../../src-shared/pkarr';

export type RowState = 'unchanged' | 'new' | 'changed' | 'removed';

export interface RecordRow {
  readonly record: DnsRecord;
  readonly state: RowState;
  /** Index in the draft, or -1 for a removed row (only in what was published). */
  readonly draftIndex: number;
}

export const recordIdentity = (r: DnsRecord) =>
  `${r.name}\u0000${r.type}\u0000${recordValueText(r)}\u0000${r.ttl}`;
const slot = (r: DnsRecord) => `${r.name}\u0000${r.type}`;

export function recordRows(
  drafts: readonly DnsRecord[],
  published: readonly DnsRecord[] | null,
): RecordRow[] {
  if (!published) return drafts.map((record, draftIndex) => ({ record, state: 'new', draftIndex }));
  const publishedIds = new Set(published.map(recordIdentity));
  const draftIds = new Set(drafts.map(recordIdentity));
  const draftSlots = new Set(drafts.map(slot));
  const publishedSlots = new Set(
    published.filter((r) => !draftIds.has(recordIdentity(r))).map(slot),
  );
  const rows: RecordRow[] = drafts.map((record, draftIndex) => ({
    record,
    draftIndex,
    state: publishedIds.has(recordIdentity(record))
      ? 'unchanged'
      : publishedSlots.has(slot(record))
        ? 'changed'
        : 'new',
  }));
  for (const record of published) {
    // A changed record replaces its old self; only what has no draft in its slot is removed.
    if (!draftIds.has(recordIdentity(record)) && !draftSlots.has(slot(record)))
      rows.push({ record, state: 'removed', draftIndex: -1 });
  }
  return rows;
}

export const stagedCount = (rows: readonly RecordRow[]) =>
  rows.filter((r) => r.state !== 'unchanged').length;
