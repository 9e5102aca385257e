// Issue 21: a zone → Pubky → zone round trip keeps every record PKARR can carry and names every
// record it leaves out, with the reason (property test over generated zones); the plan measures
// the packet and says how to fit; plan safety needs a confirmation naming what goes; pkdns files
// with placeholders read back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomSeed, seedSigner } from '../../src-node/native-ed25519';
import { recordValueText, validateRecord, z32Encode, type DnsRecord } from '../../src-shared/pkarr';
import { mapZone, planMigration } from '../../src-shared/zone/migration-plan';
import { parsePkdnsZone, toBindZone, toPkdnsZone } from '../../src-shared/zone/zone-export';
import { parseZoneFile, ZoneFileError } from '../../src-shared/zone/zone-file';

const key = z32Encode(seedSigner(randomSeed()).publicKey);
const ZONE = 'smith.example';

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const name = fc.oneof(
  fc.constant('@'),
  label,
  fc.tuple(label, label).map(([a, b]) => `${a}.${b}`),
);
const host = fc
  .tuple(label, fc.constantFrom('example', 'example.org', ZONE))
  .map(([a, b]) => `${a}.${b}`);
const ttl = fc.integer({ min: 0, max: 86400 * 7 });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((x) => x.toString(16)).join(':'));
const text = fc.string({
  unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', ';', '(', 'é', '✓', '\t', '0'),
  maxLength: 40,
});

const carriedRecord: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.record({ type: fc.constant('A' as const), name, ttl, address: ipv4 }),
  fc.record({ type: fc.constant('AAAA' as const), name, ttl, address: ipv6 }),
  fc.record({ type: fc.constant('CNAME' as const), name: label, ttl, target: host }),
  fc.record({ type: fc.constant('NS' as const), name: label, ttl, target: host }),
  fc.record({
    type: fc.constant('TXT' as const),
    name,
    ttl,
    strings: fc.array(text, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('MX' as const),
    name,
    ttl,
    preference: fc.nat(65535),
    exchange: host,
  }),
);
const leftOutLine = fc.oneof(
  fc
    .tuple(label, fc.nat(65535))
    .map(([n, p]) => ({ line: `_sip._tcp.${n} 300 IN SRV 10 5 ${p} sip.example.`, type: 'SRV' })),
  fc.constant({ line: '@ 300 IN CAA 0 issue "letsencrypt.org"', type: 'CAA' }),
  fc.constant({ line: '@ 300 IN NS ns1.registrar.example.', type: 'NS' }),
  fc.constant({
    line: '@ 300 IN SOA ns1.registrar.example. admin.smith.example. 1 7200 3600 1209600 300',
    type: 'SOA',
  }),
  fc.constant({ line: 'x 300 IN DS 12345 13 2 ABCDEF', type: 'DS' }),
);

const canonical = (records: readonly DnsRecord[]) =>
  records
    .map((r) => validateRecord(r, key))
    .map((r) => `${r.type} ${r.name} ${r.ttl} ${recordValueText(r)}`);
const unique = (records: readonly DnsRecord[]) => {
  const seen = new Set<string>();
  return records.filter((r) => {
    const id = canonical([r])[0]!.replace(/ \d+ /, ' ');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
};

describe('zone → Pubky → zone', () => {
  it('keeps every record PKARR carries and names every one it leaves out (property)', () => {
    fc.assert(
      fc.property(
        fc.array(carriedRecord, { maxLength: 25 }),
        fc.array(leftOutLine, { maxLength: 5 }),
        (generated, others) => {
          const records = unique(generated);
          const file = [toBindZone(records, ZONE), ...others.map((o) => o.line)].join('\n');
          const { carried, leftOut } = mapZone(parseZoneFile(file, { origin: ZONE }), key);
          expect(canonical(carried.map((c) => c.record))).toEqual(canonical(records));
          expect(leftOut.map((l) => l.type)).toEqual(others.map((o) => o.type));
          for (const out of leftOut) expect(out.reason.length).toBeGreaterThan(10);
          // And back out: the exported zone file reads as the same records.
          const again = mapZone(
            parseZoneFile(
              toBindZone(
                carried.map((c) => c.record),
                ZONE,
              ),
              { origin: ZONE },
            ),
            key,
          );
          expect(canonical(again.carried.map((c) => c.record))).toEqual(canonical(records));
          expect(again.leftOut).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('pkdns files: names under the key, placeholders filled with the addresses given', () => {
    const file = '@ 60 IN A {external_ipv4}\nwww IN AAAA {external_ipv6}\n@ IN TXT "hello"\n';
    expect(() => parsePkdnsZone(file, key)).toThrow(/line 1: \{external_ipv4\} needs/);
    const zone = parsePkdnsZone(file, key, {
      externalIpv4: '192.0.2.7',
      externalIpv6: '2001:db8::7',
    });
    const { carried } = mapZone(zone, key);
    expect(canonical(carried.map((c) => c.record))).toEqual([
      'A @ 60 192.0.2.7',
      // No TTL on a record: the one before it (RFC 1035), as BIND reads it.
      'AAAA www 60 2001:db8::7',
      'TXT @ 60 hello',
    ]);
    const exported = toPkdnsZone(carried.map((c) => c.record));
    expect(exported).not.toContain('$ORIGIN');
    expect(
      canonical(mapZone(parsePkdnsZone(exported, key), key).carried.map((c) => c.record)),
    ).toEqual(canonical(carried.map((c) => c.record)));
  });

  it('a record value that is not valid names its line', () => {
    expect(() =>
      mapZone(parseZoneFile('@ IN A 192.0.2.1\nwww IN A 300.1.1.1\n', { origin: ZONE }), key),
    ).toThrow(ZoneFileError);
    try {
      mapZone(
        parseZoneFile('@ IN A 192.0.2.1\nwww IN A 300.1.1.1\n', { origin: ZONE, defaultTtl: 60 }),
        key,
      );
    } catch (error) {
      expect((error as ZoneFileError).line).toBe(2);
    }
  });
});

describe('the plan', () => {
  const zoneOf = (text: string) => parseZoneFile(`$ORIGIN ${ZONE}.\n$TTL 300\n${text}`);
  const current: DnsRecord[] = [
    { type: 'A', name: '@', ttl: 300, address: '192.0.2.1' },
    { type: 'TXT', name: '@', ttl: 300, strings: ['one'] },
    { type: 'TXT', name: 'a', ttl: 300, strings: ['two'] },
    { type: 'TXT', name: 'b', ttl: 300, strings: ['three'] },
  ];

  it('a plan that keeps the apex and most records runs without a confirmation', () => {
    const plan = planMigration({
      zone: zoneOf('@ A 192.0.2.1\n@ TXT "one"\na TXT "two"\nb TXT "three"\nnew TXT "four"\n'),
      publicKey: key,
      current,
    });
    expect(plan.change.added.map((r) => r.name)).toEqual(['new']);
    expect(plan.change.removed).toEqual([]);
    expect(plan.safety.needsConfirmation).toBe(false);
    expect(plan.size.fits).toBe(true);
    expect(plan.linkRecord).toBe(`_pubky.${ZONE}. 3600 IN TXT "pubky=${key}"`);
  });

  it('removing more than 30 % or moving the apex needs a confirmation naming what goes', () => {
    const plan = planMigration({
      zone: zoneOf('@ A 198.51.100.9\n@ TXT "one"\n'),
      publicKey: key,
      current,
    });
    expect(plan.safety.needsConfirmation).toBe(true);
    expect(plan.safety.removedShare).toBeCloseTo(3 / 4);
    expect(plan.safety.apexChanges).toBe(true);
    expect(plan.safety.reasons.join(' ')).toContain('TXT a two');
    expect(plan.safety.reasons.join(' ')).toContain('TXT b three');
    expect(plan.safety.reasons.join(' ')).toMatch(/192\.0\.2\.1.*becomes.*198\.51\.100\.9/);
  });

  it('too large for a packet: the size and concrete ways to fit', () => {
    const bulky = Array.from({ length: 6 }, (_, i) => `host${i}.svc TXT "${'x'.repeat(150)}"`).join(
      '\n',
    );
    const plan = planMigration({
      zone: zoneOf(`@ A 192.0.2.1\n@ 60 TXT "a"\n@ 120 TXT "b"\n${bulky}\n`),
      publicKey: key,
      current: [],
    });
    expect(plan.size.fits).toBe(false);
    expect(plan.suggestions.join('\n')).toMatch(
      /Move the \d+-byte TXT at host\d\.svc\.smith\.example to the family’s homeserver/,
    );
    expect(plan.suggestions.join('\n')).toMatch(/one TTL \(now 60, 120 s\)/);
    expect(plan.suggestions.join('\n')).toMatch(
      /Give svc\.smith\.example \(6 records\) a key of its own/,
    );
    expect(plan.suggestions.at(-1)).toMatch(/bytes over the 1000-byte packet/);
  });
});
