// The record model: what a family edits and what a PKARR packet carries. Names are relative to
// the domain's key ('@' is the apex, 'www' is www.<key>); on the wire they are absolute.
import { fail } from './errors';
import { utf8, utf8Length } from './bytes';

export interface SvcParam {
  readonly key: number;
  readonly value: Uint8Array;
}

interface Base {
  readonly name: string;
  readonly ttl: number;
}

export type DnsRecord =
  | (Base & { readonly type: 'A'; readonly address: string })
  | (Base & { readonly type: 'AAAA'; readonly address: string })
  | (Base & { readonly type: 'CNAME'; readonly target: string })
  | (Base & { readonly type: 'NS'; readonly target: string })
  | (Base & { readonly type: 'TXT'; readonly strings: readonly string[] })
  | (Base & { readonly type: 'MX'; readonly preference: number; readonly exchange: string })
  | (Base & {
      readonly type: 'HTTPS' | 'SVCB';
      readonly priority: number;
      readonly target: string;
      readonly params: readonly SvcParam[];
    });

export type RecordType = DnsRecord['type'];

export const RR_TYPE: Readonly<Record<RecordType, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SVCB: 64,
  HTTPS: 65,
};

export const MAX_TTL = 0x7fffffff;
const LABEL = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;

/**
 * For a name already in canonical form (lower case, valid labels, no trailing dot), the length
 * of its longest label; -1 for anything else, which then takes the slow, normalising path.
 */
function canonicalName(name: string): number {
  if (name.length === 0 || name.length > 253) return -1;
  let labelStart = 0;
  let longest = 0;
  for (let i = 0; i <= name.length; i++) {
    const code = i < name.length ? name.charCodeAt(i) : 46;
    if (code === 46) {
      const length = i - labelStart;
      if (length === 0 || length > 63) return -1;
      const first = name.charCodeAt(labelStart);
      const last = name.charCodeAt(i - 1);
      if (first === 45 || last === 45) return -1; // no hyphen at either end
      if (length > 1 && (first === 42 || name.lastIndexOf('*', i - 1) >= labelStart)) return -1;
      if (length > longest) longest = length;
      labelStart = i + 1;
      continue;
    }
    const ok =
      (code >= 97 && code <= 122) ||
      (code >= 48 && code <= 57) ||
      code === 95 ||
      code === 45 ||
      code === 42;
    if (!ok) return -1;
  }
  return longest;
}

/** Lower-cases and checks a DNS name (no trailing dot); '.' stands for the root. */
export function normaliseTarget(name: string): string {
  if (canonicalName(name) >= 0) return name;
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  if (lower === '') return '.';
  if (lower.length > 253) fail('INVALID_NAME', `name longer than 253 characters`);
  for (const label of lower.split('.')) {
    if (!LABEL.test(label))
      fail('INVALID_NAME', `"${label}" is not a valid DNS label in "${name}"`);
  }
  return lower;
}

/**
 * A record name relative to `origin` (the key's z32): '@', '', the origin itself and names ending
 * in `.origin` all map into the zone; an absolute name elsewhere is refused.
 */
export function relativeName(name: string, origin: string): string {
  if (name === '@') return '@';
  // Fast path for names already canonical (what the app stores): one pass, no allocation.
  const longest = canonicalName(name);
  if (longest >= 0 && longest < 52) return name;
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  if (lower === '@' || lower === '' || lower === origin) return '@';
  if (lower.endsWith(`.${origin}`)) return normaliseTarget(lower.slice(0, -origin.length - 1));
  const labels = lower.split('.');
  // A bare z32 key that is not ours, or any multi-label name ending in a key, is another zone.
  if (labels.some((label) => label.length === 52)) {
    fail('NAME_OUTSIDE_ZONE', `"${name}" is not inside ${origin}`);
  }
  return normaliseTarget(lower);
}

export const absoluteName = (relative: string, origin: string): string =>
  relative === '@' ? origin : `${relative}.${origin}`;

/** Dotted-quad IPv4, four decimal octets 0-255 without leading zeros; one pass, no allocation. */
function checkIPv4(address: string): void {
  let octets = 0;
  let value = 0;
  let digits = 0;
  let ok = address.length <= 15;
  for (let i = 0; ok && i <= address.length; i++) {
    const code = i < address.length ? address.charCodeAt(i) : 46;
    if (code === 46) {
      ok = digits > 0 && value <= 255 && ++octets <= 4;
      value = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      ok = !(digits === 1 && value === 0); // no leading zero
      value = value * 10 + (code - 48);
      digits++;
    } else ok = false;
  }
  if (!ok || octets !== 4) fail('INVALID_RECORD', `"${address}" is not an IPv4 address`);
}

const hexDigit = (code: number): number =>
  code >= 48 && code <= 57
    ? code - 48
    : code >= 97 && code <= 102
      ? code - 87
      : code >= 65 && code <= 70
        ? code - 55
        : -1;

/** Parses an IPv6 address (with :: and an optional dotted IPv4 tail) to 16 bytes. */
/**
 * The last address parsed and its bytes: signing validates an AAAA record and then encodes it,
 * which would parse the same text twice. Callers only read (and copy) what this returns.
 */
let lastIpv6: { text: string; bytes: Uint8Array } | undefined;

/** ipv6Bytes for read-only use, remembering the last address (see lastIpv6). */
export function ipv6BytesShared(address: string): Uint8Array {
  if (lastIpv6?.text !== address) lastIpv6 = { text: address, bytes: ipv6Bytes(address) };
  return lastIpv6.bytes;
}

export function ipv6Bytes(address: string): Uint8Array {
  const bad = (): never => fail('INVALID_RECORD', `"${address}" is not an IPv6 address`);
  let text = address;
  if (text.includes('.')) {
    // A dotted IPv4 tail (::ffff:192.0.2.1) becomes its two hex groups.
    const lastColon = text.lastIndexOf(':');
    const v4 = text.slice(lastColon + 1);
    checkIPv4(v4);
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  // One pass over the text: groups before and after a single '::'.
  const head: number[] = [];
  const rest: number[] = [];
  let groups = head;
  let value = 0;
  let digits = 0;
  let gap = false;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 58;
    if (code === 58) {
      if (i + 1 < text.length && text.charCodeAt(i + 1) === 58) {
        if (gap) bad();
        if (digits > 0) groups.push(value);
        else if (i !== 0) bad();
        gap = true;
        groups = rest;
        i++;
      } else if (digits > 0) groups.push(value);
      else if (i < text.length || !(gap && groups.length === 0 && text.endsWith('::'))) bad();
      value = 0;
      digits = 0;
      continue;
    }
    const digit = hexDigit(code);
    if (digit < 0 || ++digits > 4) bad();
    value = (value << 4) | digit;
  }
  const total = head.length + rest.length;
  if (gap ? total > 7 : total !== 8) bad();
  const out = new Uint8Array(16);
  head.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  rest.forEach((g, i) => {
    const at = 16 - (rest.length - i) * 2;
    out[at] = g >> 8;
    out[at + 1] = g & 0xff;
  });
  return out;
}

/** RFC 5952 text of 16 bytes. */
export function ipv6Text(bytes: Uint8Array): string {
  // RFC 5952: the longest run (of two or more) of zero groups becomes "::", the first if tied.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (bytes[2 * i] !== 0 || bytes[2 * i + 1] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && bytes[2 * j] === 0 && bytes[2 * j + 1] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)).toString(16);
  }
  return text;
}

/**
 * Checks a record and returns it in canonical form (names relative and lower-case, addresses
 * canonical), or throws a PkarrError naming what is wrong.
 */
export function validateRecord(record: DnsRecord, origin: string): DnsRecord {
  const name = relativeName(record.name, origin);
  if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl > MAX_TTL) {
    fail('INVALID_RECORD', `TTL must be a whole number of seconds from 0 to ${MAX_TTL}`);
  }
  const type = record.type;
  switch (type) {
    // A record already in canonical form is returned as it is (records are read-only): the
    // app's drafts are canonical, and copying them would cost more than checking them.
    case 'A':
      checkIPv4(record.address);
      return name === record.name
        ? record
        : { name, ttl: record.ttl, type, address: record.address };
    case 'AAAA': {
      const address = ipv6Text(ipv6BytesShared(record.address));
      return name === record.name && address === record.address
        ? record
        : { name, ttl: record.ttl, type, address };
    }
    case 'CNAME':
    case 'NS': {
      const target = normaliseTarget(record.target);
      return name === record.name && target === record.target
        ? record
        : { name, ttl: record.ttl, type, target };
    }
    case 'TXT':
      if (record.strings.length === 0)
        fail('INVALID_RECORD', 'a TXT record needs at least one string');
      for (const text of record.strings) {
        if (utf8Length(text) > 255) fail('INVALID_RECORD', 'a TXT string is at most 255 bytes');
      }
      return name === record.name
        ? record
        : { name, ttl: record.ttl, type, strings: record.strings };
    case 'MX':
      if (
        !Number.isInteger(record.preference) ||
        record.preference < 0 ||
        record.preference > 0xffff
      ) {
        fail('INVALID_RECORD', 'MX preference must be 0-65535');
      }
      {
        const exchange = normaliseTarget(record.exchange);
        return name === record.name && exchange === record.exchange
          ? record
          : { name, ttl: record.ttl, type, preference: record.preference, exchange };
      }
    case 'HTTPS':
    case 'SVCB': {
      if (!Number.isInteger(record.priority) || record.priority < 0 || record.priority > 0xffff) {
        fail('INVALID_RECORD', `${type} priority must be 0-65535`);
      }
      if (record.priority === 0 && record.params.length > 0) {
        fail('INVALID_RECORD', `${type} alias mode (priority 0) takes no parameters`);
      }
      let previous = -1;
      for (const param of record.params) {
        if (!Number.isInteger(param.key) || param.key <= previous || param.key > 0xffff) {
          fail('INVALID_RECORD', `${type} parameter keys must be unique and ascending`);
        }
        if (param.value.length > 0xffff) fail('INVALID_RECORD', `${type} parameter too long`);
        previous = param.key;
      }
      return {
        name,
        ttl: record.ttl,
        type,
        priority: record.priority,
        target: normaliseTarget(record.target),
        params: record.params.map((param) => ({ key: param.key, value: param.value })),
      };
    }
    default: {
      const never: never = type;
      return fail('INVALID_RECORD', `unsupported record type ${String(never)}`);
    }
  }
}

/** Splits free text into TXT character-strings of at most 255 bytes, on character boundaries. */
export function txtStrings(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const char of text) {
    if (utf8(current + char).length > 255) {
      out.push(current);
      current = '';
    }
    current += char;
  }
  out.push(current);
  return out;
}

/** The `_pubky` record that points a user's key at its homeserver (docs/protocol.md). */
export const homeserverRecord = (homeserverZ32: string, ttl = 3600): DnsRecord => ({
  type: 'HTTPS',
  name: '_pubky',
  ttl,
  priority: 0,
  target: homeserverZ32,
  params: [],
});
