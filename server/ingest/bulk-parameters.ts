// Parameters for set-based statements, built so that a 100-packet upload does not cost the
// server megabytes of short-lived strings. node-pg sends a JavaScript array as a text array
// literal it builds element by element (each element escaped through two regex replaces, each
// Buffer hex-encoded: ~300 KB of strings per upload), and parses a text array it receives one
// character at a time: a fifth of all the server allocated per upload, under ingest where its
// collector already ran five times a second, pausing requests in flight.
//
// Here: tokens that never need quoting go as one joined literal; many byte strings go as one
// Buffer (sent in binary, copied once) that SQL cuts by offset; results come back as one
// delimited string.

/** Array elements that need no quoting in a Postgres array literal: ids, z-base-32 keys. */
const PLAIN_TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * `{a,b,c}` for a text-like array (uuid[], text[]) when every element is a plain token, which
 * the callers' values (validated uuids and z-base-32 keys) always are; otherwise the array as
 * is, for node-pg to escape. NULL spelled as a token would read as SQL NULL, so it is escaped.
 */
export function tokenArray(values: readonly string[]): string | readonly string[] {
  for (const value of values) {
    if (!PLAIN_TOKEN.test(value) || (value.length === 4 && value.toLowerCase() === 'null')) {
      return values;
    }
  }
  return `{${values.join(',')}}`;
}

/** `{1,2,3}` for an int or bigint array (safe integers only: no exponent notation). */
export function integerArray(values: readonly number[]): string {
  for (const value of values) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  }
  return `{${values.join(',')}}`;
}

/**
 * Many byte strings as one Buffer and where each starts (1-based, as SQL's substring counts)
 * and how long it is: `substring($bytes from start for length)` gives element i back.
 */
export function concatenatedBytes(parts: readonly Uint8Array[]): {
  bytes: Buffer;
  starts: string;
  lengths: string;
} {
  const starts: number[] = [];
  const lengths: number[] = [];
  let at = 1;
  for (const part of parts) {
    starts.push(at);
    lengths.push(part.length);
    at += part.length;
  }
  return {
    bytes: Buffer.concat(parts),
    starts: integerArray(starts),
    lengths: integerArray(lengths),
  };
}

/** A delimited string from SQL (`string_agg`, `array_to_string`) back as its parts. */
export const splitList = (text: string | null, separator = ','): string[] =>
  text ? text.split(separator) : [];
