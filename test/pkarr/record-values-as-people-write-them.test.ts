// Record values as the editor and zone files write them: every type reads back to the record it
// was written from, and a value that cannot be a record says why (issue 19, acceptance 5).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatSvcParams,
  parseSvcParams,
  PkarrError,
  recordFromText,
  recordValueText,
  validateRecord,
  type DnsRecord,
} from '../../src-shared/pkarr';

const ORIGIN = 'yb'.repeat(26);
const roundTrip = (record: DnsRecord) =>
  recordFromText(record.type, record.name, recordValueText(record), record.ttl);

describe('record values as text', () => {
  it('reads back every type it writes', () => {
    const records: DnsRecord[] = [
      { type: 'A', name: '@', ttl: 300, address: '203.0.113.7' },
      { type: 'AAAA', name: 'www', ttl: 300, address: '2001:db8::7' },
      { type: 'CNAME', name: 'blog', ttl: 60, target: 'example.org' },
      { type: 'NS', name: 'sub', ttl: 3600, target: 'ns1.example.org' },
      { type: 'TXT', name: '_note', ttl: 300, strings: ['hello world'] },
      { type: 'MX', name: '@', ttl: 3600, preference: 10, exchange: 'mail.example.org' },
      { type: 'HTTPS', name: '_pubky', ttl: 3600, priority: 0, target: ORIGIN, params: [] },
      {
        type: 'SVCB',
        name: '_svc',
        ttl: 300,
        priority: 1,
        target: '.',
        params: parseSvcParams('alpn=h2,h3 port=8443 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1'),
      },
    ];
    for (const record of records) {
      expect(validateRecord(roundTrip(record), ORIGIN)).toEqual(validateRecord(record, ORIGIN));
    }
  });

  it('SvcParams of any supported shape format and parse back', () => {
    const param = fc.oneof(
      fc
        .array(fc.stringMatching(/^[a-z0-9-]{1,10}$/), { minLength: 1, maxLength: 3 })
        .map((ids) => `alpn=${ids.join(',')}`),
      fc.integer({ min: 0, max: 65535 }).map((port) => `port=${port}`),
      fc.constant('no-default-alpn'),
      fc
        .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
        .map((p) => `ipv4hint=${p.join('.')}`),
      fc.uint8Array({ maxLength: 8 }).map((b) => `key${700}=${Buffer.from(b).toString('hex')}`),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(param, { selector: (p) => p.split('=')[0], maxLength: 5 }),
        (items) => {
          const params = parseSvcParams(items.join(' '));
          expect(parseSvcParams(formatSvcParams(params))).toEqual(params);
        },
      ),
    );
  });

  it('long TXT text is split into strings of at most 255 bytes and joined back', () => {
    const text = 'é'.repeat(300);
    const record = recordFromText('TXT', '@', text, 300);
    expect(record.type === 'TXT' && record.strings.length).toBe(3);
    expect(recordValueText(record)).toBe(text);
    expect(() => validateRecord(record, ORIGIN)).not.toThrow();
  });

  it('refuses values that cannot be records, saying why', () => {
    const refused: [DnsRecord['type'], string, RegExp][] = [
      ['A', '', /enter a value/],
      ['A', '999.1.1.1', /IPv4|address/i],
      ['AAAA', '2001:db8::g', /IPv6|address/i],
      ['CNAME', 'bad name!', /label|name/i],
      ['MX', 'mail.example.org', /preference/],
      ['MX', '70000 mail.example.org', /preference/],
      ['HTTPS', 'x .', /priority/],
      ['HTTPS', '1 . alpn', /alpn/],
      ['HTTPS', '1 . port=99999', /port/],
      ['HTTPS', '1 . color=blue', /unknown parameter/],
      ['HTTPS', '1 . port=1 port=2', /twice/],
      ['HTTPS', '0 . alpn=h2', /alias mode/],
    ];
    for (const [type, value, message] of refused) {
      const attempt = () => validateRecord(recordFromText(type, '@', value, 300), ORIGIN);
      expect(attempt, `${type} ${value}`).toThrow(PkarrError);
      expect(attempt, `${type} ${value}`).toThrow(message);
    }
  });
});
