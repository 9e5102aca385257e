// Records as JSON text for storage (the app's drafts, the server's decoded records): SVCB/HTTPS
// parameter bytes as hex strings, since JSON has no bytes (JSON.stringify would turn them into
// objects keyed by index, which nothing reads back).
import { fromHex, toHex } from './bytes';
import type { DnsRecord, SvcParam } from './records';

const hasParams = (record: DnsRecord) => record.type === 'HTTPS' || record.type === 'SVCB';

/** One record as JSON; only SVCB/HTTPS need a replacer (it slows stringify down). */
export function recordToJson(record: DnsRecord): string {
  return hasParams(record)
    ? JSON.stringify(record, (_key, value: unknown) =>
        value instanceof Uint8Array ? toHex(value) : value,
      )
    : JSON.stringify(record);
}

export function recordsToJson(records: readonly DnsRecord[]): string {
  return records.some(hasParams)
    ? `[${records.map(recordToJson).join(',')}]`
    : JSON.stringify(records);
}

/** The record recordToJson wrote (the text is our own storage, already validated when written). */
export function recordFromJson(text: string): DnsRecord {
  const record = JSON.parse(text) as DnsRecord;
  if (!hasParams(record)) return record;
  const svc = record as Extract<DnsRecord, { type: 'HTTPS' | 'SVCB' }>;
  return {
    ...svc,
    params: (svc.params as unknown as { key: number; value: string }[]).map((param): SvcParam => ({
      key: param.key,
      value: fromHex(param.value),
    })),
  };
}
