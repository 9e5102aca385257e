// Set-based statement parameters (server/ingest/bulk-parameters): what they send must reach Postgres
// as exactly the values given, whatever the values are.
import { describe, expect, it } from 'vitest';
import {
  concatenatedBytes,
  integerArray,
  splitList,
  tokenArray,
} from '../../server/ingest/bulk-parameters';
import { freshDatabase } from '../support/database';

const db = await freshDatabase();

describe('bulk parameters', () => {
  it('plain tokens go as one literal; anything else as an array for the driver to escape', async () => {
    expect(tokenArray(['a1', 'B-2', 'c_3'])).toBe('{a1,B-2,c_3}');
    expect(tokenArray([])).toBe('{}');
    const awkward = ['a,b', 'NULL', 'null', '"q"', 'back\\slash', '{x}', ' ', ''];
    for (const value of awkward) {
      const parameter = tokenArray(['ok', value]);
      expect(parameter).toEqual(['ok', value]);
      const { rows } = await db.pool.query('SELECT $1::text[] AS a', [parameter]);
      expect(rows[0].a).toEqual(['ok', value]);
    }
    const { rows } = await db.pool.query('SELECT $1::text[] AS a', [
      tokenArray(['x', 'Nul', 'nulls']),
    ]);
    expect(rows[0].a).toEqual(['x', 'Nul', 'nulls']);
  });

  it('integers as one literal; anything that is not a safe integer is refused', async () => {
    const values = [0, -1, 2 ** 53 - 1, 1_764_000_000_000_000];
    const { rows } = await db.pool.query('SELECT $1::bigint[]::text[] AS a', [
      integerArray(values),
    ]);
    expect(rows[0].a.map(Number)).toEqual(values);
    for (const bad of [1.5, Number.NaN, Infinity, 2 ** 53, 1e21]) {
      expect(() => integerArray([1, bad])).toThrow(RangeError);
    }
  });

  it('byte strings come back cut exactly where they were joined', async () => {
    const parts = [
      new Uint8Array([]),
      Uint8Array.from([0, 1, 2]),
      new Uint8Array(1000).fill(0xff),
      Uint8Array.from([0x5c, 0x78, 0x22, 0x2c]), // \x", : bytes an escaper would care about
    ];
    const { bytes, starts, lengths } = concatenatedBytes(parts);
    const { rows } = await db.pool.query(
      `SELECT substring($1::bytea FROM s FOR l) AS part
       FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS u(s, l, i) ORDER BY i`,
      [bytes, starts, lengths],
    );
    expect(rows.map((r) => Buffer.from(r.part))).toEqual(parts.map((p) => Buffer.from(p)));
  });

  it('a delimited list splits back into its parts; NULL and empty are no parts', () => {
    expect(splitList('a,b')).toEqual(['a', 'b']);
    expect(splitList(null)).toEqual([]);
    expect(splitList('')).toEqual([]);
  });
});
