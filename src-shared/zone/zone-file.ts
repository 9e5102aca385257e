// Zone files in the master-file format (RFC 1035 §5, with BIND's TTL units): `$ORIGIN`, `$TTL`,
// `@`, relative names, records spanning lines in parentheses, quoted strings with `\"`, `\\` and
// `\DDD` escapes, comments, blank owners repeating the previous one, class and TTL in either
// order. Every error names its line; nothing is guessed.
//
// Ours, not an npm parser: `dnsz` 4.5.2 reads the syntax but reports no line for an error,
// accepts garbage as records and resolves `@` inside record data with the file's last `$ORIGIN`;
// `dns-zonefile` 0.3.2 also drops multi-line records and `$ORIGIN` changes (docs/migration.md).

/** Files larger than this are refused before parsing (a zone of 10,000 records is ~500 KB). */
export const MAX_ZONE_FILE_BYTES = 4 * 1024 * 1024;
const MAX_TTL = 2_147_483_647;

export class ZoneFileError extends Error {
  override name = 'ZoneFileError';
  constructor(
    /** 1-based line of the file the error is on. */
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

export interface ZoneToken {
  readonly text: string;
  /** Written in double quotes (its escapes already turned into the characters they stand for). */
  readonly quoted: boolean;
}

export interface ZoneRecord {
  readonly line: number;
  /** Absolute owner name, lower-case, without the trailing dot. */
  readonly name: string;
  readonly ttl: number;
  /** Upper-case mnemonic (`TYPE65` for a type written generically). */
  readonly type: string;
  readonly rdata: readonly ZoneToken[];
  /** The `$ORIGIN` in force on its line (relative names in the data are relative to it). */
  readonly origin: string;
}

export interface ParsedZone {
  readonly origin: string;
  readonly records: readonly ZoneRecord[];
}

/** The types people meet in zone files; anything else must be written `TYPEnnn`. */
export const KNOWN_TYPES = new Set([
  'A',
  'AAAA',
  'AFSDB',
  'APL',
  'CAA',
  'CDNSKEY',
  'CDS',
  'CERT',
  'CNAME',
  'CSYNC',
  'DHCID',
  'DLV',
  'DNAME',
  'DNSKEY',
  'DS',
  'EUI48',
  'EUI64',
  'HINFO',
  'HIP',
  'HTTPS',
  'IPSECKEY',
  'KEY',
  'KX',
  'LOC',
  'MX',
  'NAPTR',
  'NS',
  'NSEC',
  'NSEC3',
  'NSEC3PARAM',
  'OPENPGPKEY',
  'PTR',
  'RP',
  'RRSIG',
  'SIG',
  'SMIMEA',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
  'URI',
  'ZONEMD',
]);
const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);

interface LogicalLine {
  readonly line: number;
  /** The line began with a blank: the owner is the previous record's. */
  readonly blankOwner: boolean;
  readonly tokens: ZoneToken[];
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A token's text with `\X` as X and `\DDD` as the byte DDD (UTF-8 put back together). */
function unescape(raw: string, line: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length;) {
    if (raw.charCodeAt(i) === 92) {
      const digits = raw.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits)) {
        const value = Number(digits);
        if (value > 255) throw new ZoneFileError(line, `“\\${digits}” is not a byte`);
        bytes.push(value);
        i += 4;
        continue;
      }
      i++;
    }
    // One character (a surrogate pair kept together) as its UTF-8 bytes.
    const char = String.fromCodePoint(raw.codePointAt(i)!);
    bytes.push(...encoder.encode(char));
    i += char.length;
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** Splits the text into logical lines (parentheses join physical ones), each with its tokens. */
function* logicalLines(text: string): Generator<LogicalLine> {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const blankOwner = text[i] === ' ' || text[i] === '\t';
    const tokens: ZoneToken[] = [];
    let depth = 0;
    let openedAt = 0;
    for (;;) {
      if (i >= n) {
        if (depth > 0) throw new ZoneFileError(openedAt, 'a “(” is never closed');
        break;
      }
      const c = text.charCodeAt(i);
      if (c === 10) {
        line++;
        i++;
        if (depth === 0) break;
        continue;
      }
      if (c === 32 || c === 9 || c === 13) {
        i++;
        continue;
      }
      if (c === 59) {
        // ';' to the end of the line
        while (i < n && text.charCodeAt(i) !== 10) i++;
        continue;
      }
      if (c === 40) {
        if (depth === 0) openedAt = line;
        depth++;
        i++;
        continue;
      }
      if (c === 41) {
        if (depth === 0) throw new ZoneFileError(line, 'a “)” without its “(”');
        depth--;
        i++;
        continue;
      }
      if (c < 32 || c === 127)
        throw new ZoneFileError(
          line,
          `binary data (byte 0x${c.toString(16).padStart(2, '0')}): this is not a zone file`,
        );
      const quoted = c === 34;
      if (quoted) i++;
      const from = i;
      let escaped = false;
      // Where the token ends; the text is a slice of the file unless it holds escapes.
      for (;;) {
        if (i >= n) {
          if (quoted) throw new ZoneFileError(start, 'a quoted string is never closed');
          break;
        }
        const d = text.charCodeAt(i);
        if (
          quoted
            ? d === 34
            : d === 32 || d === 9 || d === 13 || d === 10 || d === 59 || d === 40 || d === 41
        )
          break;
        if (d === 10)
          throw new ZoneFileError(line, 'a quoted string runs past the end of its line');
        if (d < 32 && d !== 9)
          throw new ZoneFileError(line, `binary data (byte 0x${d.toString(16).padStart(2, '0')})`);
        if (d === 92) {
          if (i + 1 >= n || text.charCodeAt(i + 1) === 10)
            throw new ZoneFileError(line, 'a “\\” at the end of a line');
          escaped = true;
          i += 2;
          continue;
        }
        i++;
      }
      const raw = text.slice(from, i);
      if (quoted) i++; // the closing quote
      tokens.push({ text: escaped ? unescape(raw, line) : raw, quoted });
    }
    if (tokens.length > 0) yield { line: start, blankOwner, tokens };
  }
}

/** A TTL in seconds: digits, or BIND's units (`1h30m`, `2d`, `1w`). */
export function parseTtl(text: string, line: number): number {
  let ttl: number;
  if (/^\d+$/.test(text)) ttl = Number(text);
  else {
    const parts = /^(?:\d+[wdhms])+$/i.test(text) ? text.match(/\d+[wdhms]/gi)! : null;
    if (!parts) throw new ZoneFileError(line, `“${text}” is not a TTL`);
    const unit: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
    ttl = parts.reduce(
      (sum, part) => sum + Number(part.slice(0, -1)) * unit[part.slice(-1).toLowerCase()]!,
      0,
    );
  }
  if (ttl > MAX_TTL) throw new ZoneFileError(line, `TTL ${text} is too long`);
  return ttl;
}

const isTtl = (text: string) => /^\d+$/.test(text) || /^(?:\d+[wdhms])+$/i.test(text);
const LABEL = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;

/** A name in the file made absolute against `origin` (lower-case, no trailing dot). */
export function absoluteName(text: string, origin: string, line: number): string {
  let name: string;
  if (text === '@') {
    if (!origin) throw new ZoneFileError(line, '“@” with no $ORIGIN: give the zone’s name');
    return origin;
  }
  if (text === '.') return '';
  if (text.endsWith('.')) name = text.slice(0, -1).toLowerCase();
  else {
    if (!origin)
      throw new ZoneFileError(
        line,
        `relative name “${text}” with no $ORIGIN: give the zone’s name`,
      );
    name = `${text.toLowerCase()}.${origin}`;
  }
  if (name.length > 253) throw new ZoneFileError(line, `name longer than 253 characters`);
  for (const label of name.split('.'))
    if (!LABEL.test(label)) throw new ZoneFileError(line, `“${text}” is not a valid name`);
  return name;
}

const inZone = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/**
 * Parses a zone file. With `origin`, the file must describe that zone: names outside it are
 * refused (a file for the wrong domain). `defaultTtl` applies when neither a record nor `$TTL`
 * nor an earlier record gives one.
 */
export function parseZoneFile(
  text: string,
  options: { origin?: string; defaultTtl?: number } = {},
): ParsedZone {
  if (encoder.encode(text.slice(0, MAX_ZONE_FILE_BYTES + 1)).length > MAX_ZONE_FILE_BYTES) {
    const lineAt = text.slice(0, MAX_ZONE_FILE_BYTES).split('\n').length;
    throw new ZoneFileError(
      lineAt,
      `the file passes ${MAX_ZONE_FILE_BYTES / 1024 / 1024} MB here; a zone file here is at most that`,
    );
  }
  const zone = options.origin ? absoluteName(`${options.origin.replace(/\.$/, '')}.`, '', 1) : '';
  let origin = zone;
  let defaultTtl: number | undefined;
  let lastTtl: number | undefined;
  let owner: string | undefined;
  const records: ZoneRecord[] = [];
  for (const { line, blankOwner, tokens } of logicalLines(text)) {
    const first = tokens[0]!;
    if (!first.quoted && first.text.startsWith('$') && !blankOwner) {
      const directive = first.text.toUpperCase();
      const argument = tokens[1];
      if (directive === '$ORIGIN') {
        if (!argument || tokens.length > 2) throw new ZoneFileError(line, '$ORIGIN takes one name');
        const next = absoluteName(argument.text, origin, line);
        if (zone && !inZone(next, zone))
          throw new ZoneFileError(
            line,
            `$ORIGIN ${next} is outside ${zone}: a file for another zone?`,
          );
        origin = next;
      } else if (directive === '$TTL') {
        if (!argument || tokens.length > 2) throw new ZoneFileError(line, '$TTL takes one TTL');
        defaultTtl = parseTtl(argument.text, line);
      } else if (directive === '$INCLUDE') {
        throw new ZoneFileError(
          line,
          '$INCLUDE is not followed here: paste the included records in',
        );
      } else if (directive === '$GENERATE') {
        throw new ZoneFileError(line, '$GENERATE is not expanded here: write the records out');
      } else throw new ZoneFileError(line, `unknown directive ${first.text}`);
      continue;
    }
    let at = 0;
    if (blankOwner) {
      if (owner === undefined)
        throw new ZoneFileError(line, 'a record with no name before any named record');
    } else {
      owner = absoluteName(first.text, origin, line);
      at = 1;
    }
    if (zone && !inZone(owner, zone))
      throw new ZoneFileError(line, `${owner} is outside ${zone}: a file for another zone?`);
    let ttl: number | undefined;
    for (let seen = 0; seen < 2 && at < tokens.length; seen++) {
      const word = tokens[at]!.text;
      if (tokens[at]!.quoted) break;
      if (ttl === undefined && isTtl(word)) {
        ttl = parseTtl(word, line);
        at++;
      } else if (CLASSES.has(word.toUpperCase())) {
        if (word.toUpperCase() !== 'IN')
          throw new ZoneFileError(
            line,
            `class ${word.toUpperCase()}: only IN (internet) records move`,
          );
        at++;
      } else break;
    }
    const typeToken = tokens[at];
    if (!typeToken || typeToken.quoted) throw new ZoneFileError(line, 'no record type');
    const type = typeToken.text.toUpperCase();
    if (!KNOWN_TYPES.has(type) && !/^TYPE\d{1,5}$/.test(type))
      throw new ZoneFileError(line, `unknown record type ${typeToken.text}`);
    const rdata = tokens.slice(at + 1);
    if (rdata.length === 0) throw new ZoneFileError(line, `a ${type} record with no data`);
    ttl ??= defaultTtl ?? lastTtl ?? options.defaultTtl;
    if (ttl === undefined)
      throw new ZoneFileError(line, 'no TTL: give one on the record or with $TTL');
    lastTtl = ttl;
    records.push({ line, name: owner, ttl, type, rdata, origin });
  }
  const zoneName = zone || records.find((r) => r.type === 'SOA')?.name || origin;
  return { origin: zoneName, records };
}

/** A zone file's bytes: UTF-8 text (a byte that is not names its line), then parsed. */
export function parseZoneBytes(
  bytes: Uint8Array,
  options: { origin?: string; defaultTtl?: number } = {},
): ParsedZone {
  if (bytes.length > MAX_ZONE_FILE_BYTES) {
    let lines = 1;
    for (let i = 0; i < MAX_ZONE_FILE_BYTES; i++) if (bytes[i] === 10) lines++;
    throw new ZoneFileError(
      lines,
      `the file passes ${MAX_ZONE_FILE_BYTES / 1024 / 1024} MB here; a zone file here is at most that`,
    );
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 10) line++;
    throw new ZoneFileError(line, 'not UTF-8 text: this is not a zone file');
  }
  const text = decoder.decode(bytes);
  return parseZoneFile(text, options);
}

/** The offset of the first byte that is not part of valid UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const extra =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong and surrogate forms.
    const c1 = bytes[i + 1] ?? 0;
    if (
      (b === 0xe0 && c1 < 0xa0) ||
      (b === 0xed && c1 > 0x9f) ||
      (b === 0xf0 && c1 < 0x90) ||
      (b === 0xf4 && c1 > 0x8f)
    )
      return i;
    i += extra + 1;
  }
  return -1;
}
