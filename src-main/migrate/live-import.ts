// Importing a traditional domain live, through a DNS server the person names (their provider's,
// or a resolver): the usual record types at the apex and at each name listed (a zone cannot be
// enumerated). node:dns gives TTLs for addresses only; other records take the default TTL the
// person chose, as a zone file without TTLs would (docs/migration.md).
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../errors';
import type { ParsedZone, ZoneRecord, ZoneToken } from '../../src-shared/zone/zone-file';

const token = (text: string, quoted = false): ZoneToken => ({ text, quoted });
/** Answers that mean "nothing of that type here", not a failure. */
const EMPTY = new Set(['ENODATA', 'ENOTFOUND', 'ENONAME', 'NXDOMAIN']);

/** `host` or `host:port` (IPv6 in brackets), as node:dns wants it. */
function serverOf(text: string): string {
  const match = /^(?:\[([0-9a-f:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/i.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  if (!host || !isIP(host))
    throw new AppError(
      'INVALID_DNS_SERVER',
      'Give the DNS server as an IP address, optionally with a port (192.0.2.53:53).',
    );
  return text.trim();
}

export async function lookUpZone(input: {
  readonly zone: string;
  readonly names: readonly string[];
  readonly server: string;
  readonly defaultTtl: number;
  readonly timeoutMs?: number;
}): Promise<ParsedZone> {
  const resolver = new Resolver({ timeout: input.timeoutMs ?? 3000, tries: 2 });
  resolver.setServers([serverOf(input.server)]);
  const zone = input.zone.replace(/\.$/, '').toLowerCase();
  const names = [
    zone,
    ...input.names
      .map((n) => n.replace(/\.$/, '').toLowerCase())
      .filter(Boolean)
      .map((n) => (n === '@' ? zone : n.endsWith(`.${zone}`) || n === zone ? n : `${n}.${zone}`)),
  ];
  const records: ZoneRecord[] = [];
  let line = 0;
  const add = (name: string, type: string, rdata: ZoneToken[], ttl = input.defaultTtl) =>
    records.push({ line: ++line, name, ttl, type, rdata, origin: zone });
  const ask = async <T>(what: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await what();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (EMPTY.has(code)) return [];
      throw new AppError(
        'SERVER_UNREACHABLE',
        `The DNS server ${input.server} did not answer (${code || String(error)}).`,
      );
    }
  };
  for (const name of [...new Set(names)]) {
    const [a, aaaa, cname, mx, txt, ns, caa, srv] = await Promise.all([
      ask(() => resolver.resolve4(name, { ttl: true })),
      ask(() => resolver.resolve6(name, { ttl: true })),
      ask(() => resolver.resolveCname(name)),
      ask(() => resolver.resolveMx(name)),
      ask(() => resolver.resolveTxt(name)),
      ask(() => resolver.resolveNs(name)),
      ask(() => resolver.resolveCaa(name)),
      ask(() => resolver.resolveSrv(name)),
    ]);
    for (const r of a) add(name, 'A', [token(r.address)], r.ttl);
    for (const r of aaaa) add(name, 'AAAA', [token(r.address)], r.ttl);
    for (const r of cname) add(name, 'CNAME', [token(`${r}.`)]);
    for (const r of mx) add(name, 'MX', [token(String(r.priority)), token(`${r.exchange}.`)]);
    for (const r of txt)
      add(
        name,
        'TXT',
        r.map((s) => token(s, true)),
      );
    for (const r of ns) add(name, 'NS', [token(`${r}.`)]);
    for (const r of caa)
      add(name, 'CAA', [
        token(String(r.critical)),
        token(Object.keys(r).find((k) => k !== 'critical') ?? ''),
      ]);
    for (const r of srv)
      add(
        name,
        'SRV',
        [r.priority, r.weight, r.port].map((n) => token(String(n))).concat(token(`${r.name}.`)),
      );
  }
  return { origin: zone, records };
}
