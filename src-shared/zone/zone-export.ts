// A Pubky domain's records written out as a zone file: BIND's master-file format for any DNS
// provider (under the traditional name the family moves back to, or under the key), and pkdns's
// format (names relative to the key, no $ORIGIN). Reading pkdns files back fills its
// `{external_ipv4}` / `{external_ipv6}` placeholders with the addresses the person gives.
import { formatSvcParams, type DnsRecord } from '../pkarr';
import { parseZoneFile, ZoneFileError, type ParsedZone } from './zone-file';

/** A character-string in quotes: `"` and `\` escaped, anything unprintable as `\DDD`. */
export function quoteTxt(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code < 32 || code === 127) out += `\\${String(code).padStart(3, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

const absolute = (name: string) => (name === '.' ? '.' : `${name}.`);

function rdata(record: DnsRecord): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.address;
    case 'CNAME':
    case 'NS':
      return absolute(record.target);
    case 'MX':
      return `${record.preference} ${absolute(record.exchange)}`;
    case 'TXT':
      return record.strings.map(quoteTxt).join(' ');
    case 'HTTPS':
    case 'SVCB':
      return [String(record.priority), absolute(record.target), formatSvcParams(record.params)]
        .filter(Boolean)
        .join(' ');
  }
}

const line = (record: DnsRecord) =>
  `${record.name.padEnd(20)} ${String(record.ttl).padStart(6)} IN ${record.type.padEnd(6)} ${rdata(record)}`;

/** BIND master file for `origin` (a traditional name, or the key itself). */
export function toBindZone(
  records: readonly DnsRecord[],
  origin: string,
  comment = 'exported by pubky-domains',
): string {
  const zone = origin.replace(/\.$/, '').toLowerCase();
  return [`; ${comment}`, `$ORIGIN ${zone}.`, ...records.map(line), ''].join('\n');
}

/** pkdns's zone format: records relative to the key, no $ORIGIN, no SOA. */
export function toPkdnsZone(records: readonly DnsRecord[]): string {
  return [...records.map(line), ''].join('\n');
}

/**
 * Reads a pkdns zone file as the zone `origin` (the key, or the traditional name it moves to):
 * its placeholders become the given addresses (a placeholder without one is an error naming its
 * line).
 */
export function parsePkdnsZone(
  text: string,
  origin: string,
  addresses: { externalIpv4?: string; externalIpv6?: string } = {},
): ParsedZone {
  const lines = text.split('\n').map((source, i) =>
    source.replace(/\{(external_ipv4|external_ipv6)\}/g, (_match, which: string) => {
      const value = which === 'external_ipv4' ? addresses.externalIpv4 : addresses.externalIpv6;
      if (!value)
        throw new ZoneFileError(
          i + 1,
          `{${which}} needs this machine's external ${which === 'external_ipv4' ? 'IPv4' : 'IPv6'} address`,
        );
      return value;
    }),
  );
  return parseZoneFile(lines.join('\n'), { origin, defaultTtl: 300 });
}
