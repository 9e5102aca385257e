// Issue 21: zone files read as BIND and other providers write them — every syntax feature the
// issue names, shown here — and every malformed file refused with the line it is on.
import { describe, expect, it } from 'vitest';
import {
  MAX_ZONE_FILE_BYTES,
  parseZoneBytes,
  parseZoneFile,
  ZoneFileError,
} from '../../src-shared/zone/zone-file';

const SAMPLE = `$ORIGIN smith.example.
$TTL 1h
; the family's zone, as the registrar exported it
@   IN  SOA ns1.smith.example. admin.smith.example. (
        2024010101 ; serial
        7200       ; refresh
        3600 1209600 300 )
@               A     192.0.2.1
www     300 IN  CNAME @
        IN 600  AAAA  2001:db8::1
mail    IN  MX    10 mx.other.example.
txt     IN  TXT   "v=spf1 include:_spf.example ~all" "second; not a comment" ; trailing
esc     IN  TXT   "say \\"hi\\" \\059 back\\\\slash"
multi   IN  TXT   ( "part one"
                    "part two" )
ünï     IN  TXT   "ünïcødé ✓"
$ORIGIN sub.smith.example.
deep    IN  CNAME @
`;

describe('reading zone files', () => {
  it('follows $ORIGIN, $TTL, @, relative names, parentheses, quotes, escapes and comments', () => {
    expect(() => parseZoneFile(SAMPLE)).toThrow(/line 16: “ünï” is not a valid name/);
    const zone = parseZoneFile(
      SAMPLE.replace('ünï     IN  TXT   "ünïcødé ✓"', 'uni IN TXT "ünïcødé ✓"'),
    );
    expect(zone.origin).toBe('smith.example');
    const shown = zone.records.map((r) => [
      r.line,
      r.name,
      r.ttl,
      r.type,
      r.rdata.map((t) => t.text),
      r.origin,
    ]);
    expect(shown).toEqual([
      [
        4,
        'smith.example',
        3600,
        'SOA',
        [
          'ns1.smith.example.',
          'admin.smith.example.',
          '2024010101',
          '7200',
          '3600',
          '1209600',
          '300',
        ],
        'smith.example',
      ],
      [8, 'smith.example', 3600, 'A', ['192.0.2.1'], 'smith.example'],
      [9, 'www.smith.example', 300, 'CNAME', ['@'], 'smith.example'],
      [10, 'www.smith.example', 600, 'AAAA', ['2001:db8::1'], 'smith.example'],
      [11, 'mail.smith.example', 3600, 'MX', ['10', 'mx.other.example.'], 'smith.example'],
      [
        12,
        'txt.smith.example',
        3600,
        'TXT',
        ['v=spf1 include:_spf.example ~all', 'second; not a comment'],
        'smith.example',
      ],
      [13, 'esc.smith.example', 3600, 'TXT', ['say "hi" ; back\\slash'], 'smith.example'],
      [14, 'multi.smith.example', 3600, 'TXT', ['part one', 'part two'], 'smith.example'],
      [16, 'uni.smith.example', 3600, 'TXT', ['ünïcødé ✓'], 'smith.example'],
      // `@` in the data is relative to the $ORIGIN in force on its own line.
      [18, 'deep.sub.smith.example', 3600, 'CNAME', ['@'], 'sub.smith.example'],
    ]);
  });

  it('TTLs: $TTL, the previous record’s, BIND units, class and TTL in either order', () => {
    const zone = parseZoneFile(
      'a 1w2d3h4m5s IN A 192.0.2.1\nb IN 90 A 192.0.2.2\nc A 192.0.2.3\n',
      {
        origin: 'x.example',
      },
    );
    expect(zone.records.map((r) => r.ttl)).toEqual([
      7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5,
      90,
      90,
    ]);
  });

  const broken: [string, string | Uint8Array, number, RegExp][] = [
    ['record with no data', 'www IN A\n', 1, /A record with no data/],
    ['unknown type', '@ 60 IN A 192.0.2.1\nwww IN BOGUS x\n', 2, /unknown record type BOGUS/],
    ['unclosed parenthesis', '@ IN A 192.0.2.1\n@ IN TXT ( "a"\n"b"\n', 2, /never closed/],
    ['stray close', '@ IN A 192.0.2.1 )\n', 1, /without its/],
    [
      'unterminated quote',
      '@ 60 IN A 192.0.2.1\n@ IN TXT "abc\n',
      2,
      /runs past the end|never closed/,
    ],
    ['NUL byte', '@ IN A 192.0.2.1\nwww IN\u0000 A 192.0.2.2\n', 2, /binary data/],
    [
      'binary junk',
      new Uint8Array([0x40, 0x20, 0x41, 0x0a, 0xff, 0xfe, 0x00, 0x01]),
      2,
      /not UTF-8/,
    ],
    ['control character', '@ IN TXT "a\u0007b"\n', 1, /binary data/],
    ['name outside the zone', 'www.other.example. IN A 192.0.2.1\n', 1, /outside smith.example/],
    [
      '$ORIGIN of another zone',
      '$ORIGIN other.example.\nwww IN A 192.0.2.1\n',
      1,
      /outside smith.example/,
    ],
    ['$INCLUDE', '$INCLUDE other.zone\n', 1, /\$INCLUDE/],
    ['$GENERATE', '$GENERATE 1-10 host$ A 192.0.2.$\n', 1, /\$GENERATE/],
    ['unknown directive', '$FOO bar\n', 1, /unknown directive/],
    ['$TTL without value', '$TTL\n', 1, /\$TTL takes one TTL/],
    ['bad TTL', '$TTL forever\n', 1, /not a TTL/],
    ['class CH', 'www CH A 192.0.2.1\n', 1, /only IN/],
    ['no type', 'www 60 IN\n', 1, /no record type/],
    ['blank owner first', '   IN A 192.0.2.1\n', 1, /no name before/],
    ['label too long', `${'a'.repeat(64)} IN A 192.0.2.1\n`, 1, /not a valid name/],
    ['bad escape', '@ IN TXT "\\999"\n', 1, /not a byte/],
    ['backslash at end of line', '@ IN TXT abc\\\n', 1, /at the end of a line/],
    ['huge TTL', 'www 99999999999 IN A 192.0.2.1\n', 1, /too long/],
    [
      'no TTL anywhere (without a default)',
      '$ORIGIN smith.example.\nwww IN A 192.0.2.1\n',
      2,
      /no TTL/,
    ],
  ];
  it.each(broken)('refuses %s, naming its line', (name, input, line, message) => {
    const options = {
      origin: 'smith.example',
      ...(name.includes('without a default') ? {} : { defaultTtl: 3600 }),
    };
    const parse = () =>
      typeof input === 'string' ? parseZoneFile(input, options) : parseZoneBytes(input, options);
    let error: unknown;
    try {
      parse();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ZoneFileError);
    expect((error as ZoneFileError).line).toBe(line);
    expect((error as ZoneFileError).message).toMatch(message);
    expect((error as ZoneFileError).message).toMatch(new RegExp(`^line ${line}: `));
  });

  it('refuses a 50 MB file before reading it, naming where the limit falls', () => {
    const row = 'www IN TXT "padding padding padding padding padding padding padding"\n';
    const bytes = new TextEncoder().encode(row.repeat(Math.ceil((50 * 1024 * 1024) / row.length)));
    let error: unknown;
    try {
      parseZoneBytes(bytes, { origin: 'smith.example' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ZoneFileError);
    expect((error as ZoneFileError).line).toBe(Math.floor(MAX_ZONE_FILE_BYTES / row.length) + 1);
    expect((error as ZoneFileError).message).toMatch(/at most/);
  });
});
