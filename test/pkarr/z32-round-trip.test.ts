// z-base-32: any bytes encode to text that decodes back to them; a 32-byte key is 52 characters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z32Decode, z32Encode } from '../../src-shared/pkarr';

describe('z-base-32', () => {
  it('round-trips bytes of any length, including past the one-call string limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(z32Decode(z32Encode(bytes))).toEqual(bytes);
      }),
    );
    for (const length of [0, 1, 5, 8191, 40_000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + 7) & 0xff);
      expect(z32Decode(z32Encode(bytes))).toEqual(bytes);
    }
  });

  it('a key is 52 characters, the same after a longer encoding (the scratch leaves nothing behind)', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const text = z32Encode(key);
    expect(text).toHaveLength(52);
    z32Encode(new Uint8Array(100)); // a longer encoding must not leave characters behind
    expect(z32Encode(key)).toBe(text);
    expect(z32Encode(new Uint8Array(32))).toBe('y'.repeat(52));
  });
});
