// A record's value as people and zone files write it, one line after the type: `203.0.113.7`,
// `10 mail.example.org`, `1 . alpn=h2,h3 port=443`, free text for TXT. The record editor reads
// and shows values this way; zone-file import and export use the same (RFC 1035 §5, RFC 9460 §2.1).
import { concatBytes, fromHex, fromUtf8, toHex, utf8 } from './bytes';
import { fail } from './errors';
import {
  ipv6Bytes,
  ipv6Text,
  txtStrings,
  type DnsRecord,
  type RecordType,
  type SvcParam,
} from './records';

/** SvcParamKeys with a presentation form (RFC 9460 §14.3.2); others are written keyNNNNN. */
const SVC_KEYS = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint'];

function u16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

function keyNumber(name: string): number {
  const known = SVC_KEYS.indexOf(name);
  if (known >= 0) return known;
  const match = /^key(\d{1,5})$/.exec(name);
  if (!match || Number(match[1]) > 0xffff) fail('INVALID_RECORD', `unknown parameter “${name}”`);
  return Number(match![1]);
}

function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    fail('INVALID_RECORD', `“${address}” is not an IPv4 address`);
  return Uint8Array.from(parts.map(Number));
}

function paramValue(key: number, value: string | undefined): Uint8Array {
  const list = (value ?? '').split(',').filter(Boolean);
  switch (key) {
    case 0:
      return concatBytes(...list.map((name) => u16(keyNumber(name))));
    case 1:
      if (!list.length) fail('INVALID_RECORD', 'alpn needs at least one protocol, e.g. alpn=h2');
      return concatBytes(...list.map((id) => concatBytes(Uint8Array.of(id.length), utf8(id))));
    case 2:
      if (value !== undefined) fail('INVALID_RECORD', 'no-default-alpn takes no value');
      return new Uint8Array(0);
    case 3: {
      const port = Number(value);
      if (!/^\d{1,5}$/.test(value ?? '') || port > 0xffff)
        fail('INVALID_RECORD', 'port must be a number from 0 to 65535');
      return u16(port);
    }
    case 4:
      return concatBytes(...list.map(ipv4Bytes));
    case 6:
      return concatBytes(...list.map((address) => ipv6Bytes(address)));
    default: {
      try {
        return fromHex(value ?? '');
      } catch {
        return fail('INVALID_RECORD', `key${key} takes its value as hex digits`);
      }
    }
  }
}

/** `alpn=h2,h3 port=443` → SvcParams in ascending key order. */
export function parseSvcParams(input: string): SvcParam[] {
  const params = input
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((item) => {
      const eq = item.indexOf('=');
      const name = (eq < 0 ? item : item.slice(0, eq)).toLowerCase();
      const key = keyNumber(name);
      return {
        key,
        value: paramValue(key, eq < 0 ? undefined : item.slice(eq + 1).replace(/^"|"$/g, '')),
      };
    })
    .sort((a, b) => a.key - b.key);
  params.forEach((param, i) => {
    if (i > 0 && params[i - 1]!.key === param.key)
      fail(
        'INVALID_RECORD',
        `parameter ${SVC_KEYS[param.key] ?? `key${param.key}`} is given twice`,
      );
  });
  return params;
}

function formatParam({ key, value }: SvcParam): string {
  const name = SVC_KEYS[key] ?? `key${key}`;
  const read = (size: number, each: (at: number) => string): string[] => {
    const out: string[] = [];
    for (let at = 0; at + size <= value.length; at += size) out.push(each(at));
    return out;
  };
  switch (key) {
    case 0:
      return `${name}=${read(2, (at) => SVC_KEYS[(value[at]! << 8) | value[at + 1]!] ?? `key${(value[at]! << 8) | value[at + 1]!}`).join(',')}`;
    case 1: {
      const ids: string[] = [];
      for (let at = 0; at < value.length; at += 1 + value[at]!)
        ids.push(fromUtf8(value.subarray(at + 1, at + 1 + value[at]!)));
      return `${name}=${ids.join(',')}`;
    }
    case 2:
      return name;
    case 3:
      return `${name}=${(value[0]! << 8) | value[1]!}`;
    case 4:
      return `${name}=${read(4, (at) => Array.from(value.subarray(at, at + 4)).join('.')).join(',')}`;
    case 6:
      return `${name}=${read(16, (at) => ipv6Text(value.subarray(at, at + 16))).join(',')}`;
    default:
      return `${name}=${toHex(value)}`;
  }
}

export function formatSvcParams(params: readonly SvcParam[]): string {
  return params.map(formatParam).join(' ');
}

/** The value part of a record, as the editor shows it. */
export function recordValueText(record: DnsRecord): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.address;
    case 'CNAME':
    case 'NS':
      return record.target;
    case 'TXT':
      return record.strings.join('');
    case 'MX':
      return `${record.preference} ${record.exchange}`;
    case 'HTTPS':
    case 'SVCB':
      return [String(record.priority), record.target || '.', formatSvcParams(record.params)]
        .filter(Boolean)
        .join(' ');
  }
}

/**
 * A record from its parts as typed. Shape only, with messages for people; validateRecord()
 * still checks names, addresses and limits against the domain.
 */
export function recordFromText(
  type: RecordType,
  name: string,
  value: string,
  ttl: number,
): DnsRecord {
  const trimmed = value.trim();
  if (!trimmed && type !== 'TXT') fail('INVALID_RECORD', 'enter a value');
  switch (type) {
    case 'A':
    case 'AAAA':
      return { type, name, ttl, address: trimmed };
    case 'CNAME':
    case 'NS':
      return { type, name, ttl, target: trimmed };
    case 'TXT':
      return { type, name, ttl, strings: txtStrings(value) };
    case 'MX': {
      const match = /^(\d{1,5})\s+(\S+)$/.exec(trimmed);
      if (!match)
        fail('INVALID_RECORD', 'write a preference and a mail host, e.g. “10 mail.example.org”');
      return { type, name, ttl, preference: Number(match![1]), exchange: match![2]! };
    }
    case 'HTTPS':
    case 'SVCB': {
      const [priority, target, ...params] = trimmed.split(/\s+/);
      if (!/^\d{1,5}$/.test(priority ?? '') || target === undefined)
        fail(
          'INVALID_RECORD',
          `write a priority and a target, e.g. “1 . alpn=h2” (0 and a key for the _pubky homeserver)`,
        );
      return {
        type,
        name,
        ttl,
        priority: Number(priority),
        target: target!,
        params: parseSvcParams(params.join(' ')),
      };
    }
  }
}
