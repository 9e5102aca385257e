// Moving a traditional zone onto a Pubky key: which records a PKARR packet carries and which it
// cannot (each with its reason), whether they fit the 1000-byte packet (and what to do if not),
// what changes against what the key publishes now, and whether the plan is safe to run without
// an explicit confirmation (docs/migration.md).
import {
  measureRecords,
  parsePublicKey,
  parseSvcParams,
  PkarrError,
  recordValueText,
  validateRecord,
  z32Encode,
  type DnsRecord,
  type SizeReport,
} from '../pkarr';
import { absoluteName, ZoneFileError, type ParsedZone, type ZoneRecord } from './zone-file';

export interface CarriedRecord {
  readonly line: number;
  readonly record: DnsRecord;
}

export interface LeftOutRecord {
  readonly line: number;
  readonly name: string;
  readonly type: string;
  readonly reason: string;
}

export interface PlanChange {
  readonly added: readonly DnsRecord[];
  readonly removed: readonly DnsRecord[];
  readonly kept: readonly DnsRecord[];
}

export interface MigrationPlan {
  /** The traditional zone (e.g. smith.example). */
  readonly zone: string;
  readonly publicKey: string;
  readonly carried: readonly CarriedRecord[];
  readonly leftOut: readonly LeftOutRecord[];
  readonly size: SizeReport;
  /** Concrete ways to fit, when the records do not. */
  readonly suggestions: readonly string[];
  readonly change: PlanChange;
  readonly safety: {
    /** Share of the key's current records the plan removes (0–1). */
    readonly removedShare: number;
    readonly apexChanges: boolean;
    readonly needsConfirmation: boolean;
    /** What goes, in words, for the confirmation. */
    readonly reasons: readonly string[];
  };
  /** A TXT record for the traditional zone naming the key, so the link checks from both sides. */
  readonly linkRecord: string;
}

/** OctoDNS refuses updates that delete more than 30 % of a zone; so do we, without confirmation. */
export const DEFAULT_MAX_REMOVED_SHARE = 0.3;

const DNSSEC = new Set(['DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'DS', 'CDS', 'CDNSKEY']);
const CARRIED = 'A, AAAA, CNAME, NS, TXT, MX, HTTPS and SVCB';

function reasonLeftOut(record: ZoneRecord, zone: string): string | undefined {
  if (record.type === 'SOA') return 'the zone’s authority record: a Pubky key is its own authority';
  if (record.type === 'NS' && record.name === zone)
    return 'the zone’s name servers: a Pubky domain resolves from its key, not through them';
  if (DNSSEC.has(record.type)) return 'DNSSEC: a Pubky packet is signed by its key instead';
  if (!['A', 'AAAA', 'CNAME', 'NS', 'TXT', 'MX', 'HTTPS', 'SVCB'].includes(record.type))
    return `PKARR packets here carry ${CARRIED} only`;
  return undefined;
}

/** The record name relative to the zone ('@' for the apex). */
const relative = (name: string, zone: string) =>
  name === zone ? '@' : name.slice(0, -(zone.length + 1));

/** A target in record data made absolute; in-zone targets stay traditional names. */
const target = (text: string, record: ZoneRecord) =>
  absoluteName(text, record.origin, record.line) || '.';

function toDnsRecord(record: ZoneRecord, zone: string): DnsRecord {
  const name = relative(record.name, zone);
  const { ttl, rdata, line } = record;
  const words = rdata.map((t) => t.text);
  const want = (count: number, shape: string) => {
    if (words.length !== count) throw new ZoneFileError(line, `${record.type} wants ${shape}`);
  };
  switch (record.type) {
    case 'A':
    case 'AAAA':
      want(1, 'one address');
      return { type: record.type, name, ttl, address: words[0]! };
    case 'CNAME':
    case 'NS':
      want(1, 'one name');
      return { type: record.type, name, ttl, target: target(words[0]!, record) };
    case 'MX':
      want(2, 'a preference and a mail host');
      if (!/^\d{1,5}$/.test(words[0]!) || Number(words[0]) > 65535)
        throw new ZoneFileError(line, `MX preference “${words[0]}” is not 0–65535`);
      return {
        type: 'MX',
        name,
        ttl,
        preference: Number(words[0]),
        exchange: target(words[1]!, record),
      };
    case 'TXT':
      return { type: 'TXT', name, ttl, strings: words };
    case 'HTTPS':
    case 'SVCB': {
      if (words.length < 2)
        throw new ZoneFileError(line, `${record.type} wants a priority, a target and parameters`);
      if (!/^\d{1,5}$/.test(words[0]!) || Number(words[0]) > 65535)
        throw new ZoneFileError(line, `priority “${words[0]}” is not 0–65535`);
      return {
        type: record.type,
        name,
        ttl,
        priority: Number(words[0]),
        target: words[1] === '.' ? '.' : target(words[1]!, record),
        params: parseSvcParams(words.slice(2).join(' ')),
      };
    }
    default:
      throw new ZoneFileError(line, `${record.type} is not carried`);
  }
}

/** Which records a packet carries (checked, canonical) and which not, with reasons. */
export function mapZone(
  zone: ParsedZone,
  publicKey: string,
): { carried: CarriedRecord[]; leftOut: LeftOutRecord[] } {
  const key = z32Encode(parsePublicKey(publicKey));
  const carried: CarriedRecord[] = [];
  const leftOut: LeftOutRecord[] = [];
  const seen = new Set<string>();
  for (const record of zone.records) {
    const reason = reasonLeftOut(record, zone.origin);
    if (reason) {
      leftOut.push({ line: record.line, name: record.name, type: record.type, reason });
      continue;
    }
    let checked: DnsRecord;
    try {
      checked = validateRecord(toDnsRecord(record, zone.origin), key);
    } catch (error) {
      if (error instanceof ZoneFileError) throw error;
      if (error instanceof PkarrError) throw new ZoneFileError(record.line, error.message);
      throw error;
    }
    const identity = `${checked.type} ${checked.name} ${recordValueText(checked)}`;
    if (seen.has(identity)) {
      leftOut.push({
        line: record.line,
        name: record.name,
        type: record.type,
        reason: 'the same record appears earlier in the file',
      });
      continue;
    }
    seen.add(identity);
    carried.push({ line: record.line, record: checked });
  }
  return { carried, leftOut };
}

const identity = (r: DnsRecord) => `${r.type} ${r.name} ${r.ttl} ${recordValueText(r)}`;
const isApexAddress = (r: DnsRecord) =>
  r.name === '@' && (r.type === 'A' || r.type === 'AAAA' || r.type === 'CNAME');

function suggestionsFor(records: readonly DnsRecord[], zone: string, size: SizeReport): string[] {
  if (size.fits) return [];
  const over = size.bytes - size.limit;
  const suggestions: string[] = [];
  const bulky = records
    .filter((r): r is Extract<DnsRecord, { type: 'TXT' }> => r.type === 'TXT')
    .map((r) => ({ r, bytes: r.strings.reduce((n, s) => n + s.length + 1, 0) }))
    .filter((t) => t.bytes >= 64)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
  for (const { r, bytes } of bulky)
    suggestions.push(
      `Move the ${bytes}-byte TXT at ${r.name === '@' ? zone : `${r.name}.${zone}`} to the family’s homeserver and keep a short pointer here.`,
    );
  const ttls = new Map<string, Set<number>>();
  for (const r of records) {
    const group = `${r.name} ${r.type}`;
    ttls.set(group, (ttls.get(group) ?? new Set()).add(r.ttl));
  }
  for (const [group, set] of ttls)
    if (set.size > 1)
      suggestions.push(
        `Give the ${group.split(' ')[1]} records at ${group.split(' ')[0]} one TTL (now ${[...set].join(', ')} s): records sharing name, type and TTL pack tighter.`,
      );
  const subtrees = new Map<string, DnsRecord[]>();
  for (const r of records) {
    if (r.name === '@') continue;
    const top = r.name.split('.').at(-1)!;
    subtrees.set(top, [...(subtrees.get(top) ?? []), r]);
  }
  const largest = [...subtrees].sort((a, b) => b[1].length - a[1].length)[0];
  if (largest && largest[1].length >= 3)
    suggestions.push(
      `Give ${largest[0]}.${zone} (${largest[1].length} records) a key of its own and point to it with one record.`,
    );
  suggestions.push(`The records are ${over} bytes over the ${size.limit}-byte packet.`);
  return suggestions;
}

/**
 * The whole plan for moving `zone` onto `publicKey`, against the records the key publishes now
 * (`current`). A plan that removes more than `maxRemovedShare` of them, or changes where the apex
 * resolves, needs an explicit confirmation naming what goes.
 */
export function planMigration(input: {
  readonly zone: ParsedZone;
  readonly publicKey: string;
  readonly current: readonly DnsRecord[];
  readonly maxRemovedShare?: number;
}): MigrationPlan {
  const key = z32Encode(parsePublicKey(input.publicKey));
  const { carried, leftOut } = mapZone(input.zone, key);
  const planned = carried.map((c) => c.record);
  const size = measureRecords(planned, parsePublicKey(key));
  const before = new Map(input.current.map((r) => [identity(validateRecord(r, key)), r]));
  const after = new Map(planned.map((r) => [identity(r), r]));
  const change: PlanChange = {
    added: planned.filter((r) => !before.has(identity(r))),
    removed: [...before].filter(([id]) => !after.has(id)).map(([, r]) => r),
    kept: planned.filter((r) => before.has(identity(r))),
  };
  const removedShare = before.size === 0 ? 0 : change.removed.length / before.size;
  const apexBefore = [...before.values()].filter(isApexAddress).map(identity).sort();
  const apexAfter = planned.filter(isApexAddress).map(identity).sort();
  const apexChanges = apexBefore.length > 0 && apexBefore.join('\n') !== apexAfter.join('\n');
  const max = input.maxRemovedShare ?? DEFAULT_MAX_REMOVED_SHARE;
  const reasons: string[] = [];
  if (removedShare > max)
    reasons.push(
      `It removes ${change.removed.length} of the key’s ${before.size} records (${Math.round(removedShare * 100)} %, more than ${Math.round(max * 100)} %): ${change.removed.map((r) => `${r.type} ${r.name} ${recordValueText(r)}`).join('; ')}.`,
    );
  if (apexChanges)
    reasons.push(
      `The domain itself would resolve elsewhere: ${apexBefore.join(', ') || 'nothing'} becomes ${apexAfter.join(', ') || 'nothing'}.`,
    );
  return {
    zone: input.zone.origin,
    publicKey: key,
    carried,
    leftOut,
    size,
    suggestions: suggestionsFor(planned, input.zone.origin, size),
    change,
    safety: { removedShare, apexChanges, needsConfirmation: reasons.length > 0, reasons },
    linkRecord: `_pubky.${input.zone.origin}. 3600 IN TXT "pubky=${key}"`,
  };
}
