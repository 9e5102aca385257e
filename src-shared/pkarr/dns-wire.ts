// DNS wire format for PKARR packets (RFC 1035, SVCB/HTTPS per RFC 9460): a response with answers
// only, id 0. Written by hand because dns-packet needs Node's Buffer and cannot encode SVCB/HTTPS,
// and because this codec sits next to every signature check and must cost next to nothing.
import { assertNever } from '../assert-never';
import { fail } from './errors';
import { fromUtf8Fast, utf8Fast } from './bytes';
import { ipv6BytesShared, ipv6Text, RR_TYPE, type DnsRecord, type SvcParam } from './records';

const CLASS_IN = 1;
const FLAGS_RESPONSE = 0x8000;

class Writer {
  bytes = new Uint8Array(1024);
  view = new DataView(this.bytes.buffer);
  length = 0;
  compress = true;
  /** Where each name suffix was first written, for compression pointers. */
  readonly names = new Map<string, number>();
  /** Owner names: where each relative suffix (`www`, `a.b`) and the origin were written. */
  readonly owners = new Map<string, number>();
  originAt = -1;

  reset(compress: boolean): void {
    this.length = 0;
    this.compress = compress;
    this.names.clear();
    this.owners.clear();
    this.originAt = -1;
  }

  /**
   * An owner name: `relative` labels, then the zone's origin. Every owner name ends in the
   * 52-character origin, so it is written once and pointed at after that; keys stay short.
   */
  owner(relative: string, origin: string): void {
    if (!this.compress) {
      this.name(relative === '@' ? origin : `${relative}.${origin}`, false);
      return;
    }
    if (relative !== '@') {
      let start = 0;
      while (start < relative.length) {
        const suffix = start === 0 ? relative : relative.slice(start);
        const pointer = this.owners.get(suffix);
        if (pointer !== undefined) {
          this.u16(0xc000 | pointer);
          return;
        }
        if (this.length < 0x4000) this.owners.set(suffix, this.length);
        let end = relative.indexOf('.', start);
        if (end < 0) end = relative.length;
        this.lengthPrefixed(relative.slice(start, end));
        start = end + 1;
      }
    }
    if (this.originAt >= 0) {
      this.u16(0xc000 | this.originAt);
      return;
    }
    if (this.length < 0x4000) {
      this.originAt = this.length;
      this.names.set(origin, this.length);
    }
    this.lengthPrefixed(origin);
    this.u8(0);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
  u8(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }
  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
  }
  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value);
    this.length += 4;
  }
  /**
   * A length-prefixed string (a label or TXT character-string). ASCII is copied char by char:
   * allocating a Uint8Array per label costs more than the rest of the encoding together.
   */
  lengthPrefixed(text: string): void {
    this.reserve(1 + text.length);
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) {
        ascii = false;
        break;
      }
      this.bytes[this.length + 1 + i] = code;
    }
    if (ascii) {
      this.bytes[this.length] = text.length;
      this.length += 1 + text.length;
      return;
    }
    const data = utf8Fast(text);
    this.u8(data.length);
    this.raw(data);
  }
  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }
  name(name: string, compressible: boolean): void {
    if (name === '.') {
      this.u8(0);
      return;
    }
    let start = 0;
    while (start < name.length) {
      if (this.compress && compressible) {
        const suffix = start === 0 ? name : name.slice(start);
        const pointer = this.names.get(suffix);
        if (pointer !== undefined) {
          this.u16(0xc000 | pointer);
          return;
        }
        if (this.length < 0x4000) this.names.set(suffix, this.length);
      }
      let end = name.indexOf('.', start);
      if (end < 0) end = name.length;
      this.lengthPrefixed(name.slice(start, end));
      start = end + 1;
    }
    this.u8(0);
  }
}

function ipv4Text(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

function writeRdata(w: Writer, record: DnsRecord): void {
  switch (record.type) {
    case 'A': {
      // Validated dotted quad: read the octets off the char codes (split() allocates five).
      const text = record.address;
      let octet = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code === 0x2e) {
          w.u8(octet);
          octet = 0;
        } else octet = octet * 10 + (code - 0x30);
      }
      w.u8(octet);
      return;
    }
    case 'AAAA':
      w.raw(ipv6BytesShared(record.address));
      return;
    case 'CNAME':
    case 'NS':
      w.name(record.target, true);
      return;
    case 'MX':
      w.u16(record.preference);
      w.name(record.exchange, true);
      return;
    case 'TXT':
      for (const text of record.strings) w.lengthPrefixed(text);
      return;
    case 'HTTPS':
    case 'SVCB':
      w.u16(record.priority);
      // RFC 9460 §2.2: the target name is never compressed.
      w.name(record.target, false);
      for (const param of record.params) {
        w.u16(param.key);
        w.u16(param.value.length);
        w.raw(param.value);
      }
      return;
    default:
      assertNever(record);
  }
}

/**
 * Encoding is synchronous, so one writer serves every call; it never leaves this module: each
 * packet is copied out into an array of its own, which the caller owns.
 */
const scratch = new Writer();

/**
 * Encodes validated records (names relative to `origin`) as a DNS response packet. Names are
 * compressed unless `compress` is false (the reference test vector is uncompressed).
 */
export function encodeDnsPacket(
  records: readonly DnsRecord[],
  origin: string,
  options: { compress?: boolean; reserve?: number } = {},
): Uint8Array {
  const w = scratch;
  w.reset(options.compress ?? true);
  w.u16(0);
  w.u16(FLAGS_RESPONSE);
  w.u16(0);
  w.u16(records.length);
  w.u16(0);
  w.u16(0);
  for (const record of records) {
    w.owner(record.name, origin);
    w.u16(RR_TYPE[record.type]);
    w.u16(CLASS_IN);
    w.u32(record.ttl);
    const lengthAt = w.length;
    w.u16(0);
    writeRdata(w, record);
    w.view.setUint16(lengthAt, w.length - lengthAt - 2);
  }
  // `reserve` leading zero bytes let a caller put a header in front without another copy.
  const reserve = options.reserve ?? 0;
  const out = new Uint8Array(reserve + w.length);
  out.set(w.bytes.subarray(0, w.length), reserve);
  return out;
}

class Reader {
  offset = 0;
  constructor(
    readonly bytes: Uint8Array,
    /** The zone's origin: every owner name ends in it, so its label is matched, not decoded. */
    private readonly origin = '',
  ) {}

  /** The label at `start` (`size` bytes), lower-cased; the origin's label comes back as is. */
  private label(start: number, size: number): string {
    const bytes = this.bytes;
    if (size === this.origin.length) {
      let same = true;
      for (let i = 0; i < size; i++) {
        // z-base-32 is lower-case ASCII: OR-ing 0x20 folds an upper-case letter onto it.
        const code = bytes[start + i] as number;
        if ((code | 0x20) !== this.origin.charCodeAt(i) || code < 0x30) {
          same = false;
          break;
        }
      }
      if (same) return this.origin;
    }
    // Labels are short: built char by char (lower-cased on the way), which is cheaper than a
    // subarray and String.fromCharCode.apply per label.
    let text = '';
    for (let i = start; i < start + size; i++) {
      const code = bytes[i] as number;
      if (code > 0x7f) return fromUtf8Fast(bytes, start, start + size).toLowerCase();
      text += String.fromCharCode(code >= 0x41 && code <= 0x5a ? code | 0x20 : code);
    }
    return text;
  }
  need(n: number): void {
    if (this.offset + n > this.bytes.length) fail('MALFORMED_DNS', 'DNS packet is truncated');
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++] as number;
  }
  u16(): number {
    this.need(2);
    const value =
      ((this.bytes[this.offset] as number) << 8) | (this.bytes[this.offset + 1] as number);
    this.offset += 2;
    return value;
  }
  u32(): number {
    this.need(4);
    const b = this.bytes;
    const at = this.offset;
    const value =
      (b[at] as number) * 0x1000000 +
      (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number));
    this.offset += 4;
    return value;
  }
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  /** Names already read, by the offset they start at: compression pointers reuse them. */
  private readonly suffixes = new Map<number, string>();

  /** A possibly compressed name; pointers may only point backwards, so loops are impossible. */
  name(): string {
    const labels: string[] = [];
    const starts: number[] = [];
    let position = this.offset;
    let jumped = false;
    let length = 0;
    let tail = '';
    for (;;) {
      if (position >= this.bytes.length) fail('MALFORMED_DNS', 'name runs past the packet');
      const size = this.bytes[position] as number;
      if (size === 0) {
        if (!jumped) this.offset = position + 1;
        break;
      }
      if ((size & 0xc0) === 0xc0) {
        if (position + 1 >= this.bytes.length) fail('MALFORMED_DNS', 'truncated name pointer');
        const target = ((size & 0x3f) << 8) | (this.bytes[position + 1] as number);
        if (target >= position) fail('MALFORMED_DNS', 'name pointer does not point backwards');
        if (!jumped) this.offset = position + 2;
        jumped = true;
        const known = this.suffixes.get(target);
        if (known !== undefined) {
          tail = known;
          break;
        }
        position = target;
        continue;
      }
      if (size & 0xc0) fail('MALFORMED_DNS', 'unsupported label type');
      if (position + 1 + size > this.bytes.length)
        fail('MALFORMED_DNS', 'label runs past the packet');
      length += size + 1;
      if (length > 255) fail('MALFORMED_DNS', 'name longer than 255 bytes');
      labels.push(this.label(position + 1, size));
      starts.push(position);
      position += 1 + size;
    }
    // Remember every suffix of this name for the pointers that follow.
    let suffix = tail;
    for (let i = labels.length - 1; i >= 0; i--) {
      suffix = suffix ? `${labels[i]}.${suffix}` : (labels[i] as string);
      this.suffixes.set(starts[i] as number, suffix);
    }
    return suffix || '.';
  }
}

export interface DecodedDnsPacket {
  readonly records: readonly DnsRecord[];
  /** Answers of types this model does not cover; kept in the signed bytes, not in `records`. */
  readonly unsupported: number;
}

function zoneRelative(absolute: string, origin: string): string {
  if (absolute === origin) return '@';
  const cut = absolute.length - origin.length - 1;
  if (cut > 0 && absolute.charCodeAt(cut) === 46 && absolute.endsWith(origin))
    return absolute.slice(0, cut);
  return fail('NAME_OUTSIDE_ZONE', `"${absolute}" is not inside ${origin}`);
}

function readSvcParams(r: Reader, end: number): SvcParam[] {
  const params: SvcParam[] = [];
  let previous = -1;
  while (r.offset < end) {
    const key = r.u16();
    if (key <= previous) fail('MALFORMED_DNS', 'SVCB parameter keys are not ascending');
    previous = key;
    const length = r.u16();
    params.push({ key, value: r.take(length).slice() });
  }
  return params;
}

export function decodeDnsPacket(bytes: Uint8Array, origin: string): DecodedDnsPacket {
  const r = new Reader(bytes, origin);
  r.u16(); // id
  const flags = r.u16();
  if ((flags & 0x8000) === 0) fail('MALFORMED_DNS', 'not a DNS response');
  const questions = r.u16();
  const answers = r.u16();
  r.u16();
  r.u16();
  for (let i = 0; i < questions; i++) {
    r.name();
    r.take(4);
  }
  const records: DnsRecord[] = [];
  let unsupported = 0;
  for (let i = 0; i < answers; i++) {
    const name = zoneRelative(r.name(), origin);
    const type = r.u16();
    const klass = r.u16();
    const ttl = r.u32();
    const length = r.u16();
    r.need(length);
    const end = r.offset + length;
    if (klass !== CLASS_IN) fail('MALFORMED_DNS', `record class ${klass} is not IN`);
    switch (type) {
      case RR_TYPE.A:
        if (length !== 4) fail('MALFORMED_DNS', 'A record data is not 4 bytes');
        records.push({ name, ttl, type: 'A', address: ipv4Text(r.take(4)) });
        break;
      case RR_TYPE.AAAA:
        if (length !== 16) fail('MALFORMED_DNS', 'AAAA record data is not 16 bytes');
        records.push({ name, ttl, type: 'AAAA', address: ipv6Text(r.take(16)) });
        break;
      case RR_TYPE.CNAME:
        records.push({ name, ttl, type: 'CNAME', target: r.name() });
        break;
      case RR_TYPE.NS:
        records.push({ name, ttl, type: 'NS', target: r.name() });
        break;
      case RR_TYPE.MX:
        records.push({ name, ttl, type: 'MX', preference: r.u16(), exchange: r.name() });
        break;
      case RR_TYPE.TXT: {
        const strings: string[] = [];
        while (r.offset < end) {
          const length = r.u8();
          r.need(length);
          strings.push(fromUtf8Fast(r.bytes, r.offset, (r.offset += length)));
        }
        if (strings.length === 0) fail('MALFORMED_DNS', 'empty TXT record');
        records.push({ name, ttl, type: 'TXT', strings });
        break;
      }
      case RR_TYPE.HTTPS:
      case RR_TYPE.SVCB: {
        const priority = r.u16();
        const target = r.name();
        const params = readSvcParams(r, end);
        records.push({
          name,
          ttl,
          type: type === RR_TYPE.HTTPS ? 'HTTPS' : 'SVCB',
          priority,
          target,
          params,
        });
        break;
      }
      default:
        unsupported++;
        r.take(length);
    }
    if (r.offset !== end) fail('MALFORMED_DNS', 'record data length does not match its contents');
  }
  return { records, unsupported };
}
