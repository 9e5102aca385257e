// The app's offline preview (src-shared/score) and the server's SQL function give the same
// breakdown, reason by reason, on 1,000 generated evidence sets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { scoreSovereignty, type SovereigntyEvidence } from '../../src-shared/score/score-rules';
import { freshDatabase } from '../support/database';

const db = await freshDatabase();
await migrate(db.pool);

const evidence: fc.Arbitrary<SovereigntyEvidence> = fc.record({
  domainType: fc.constantFrom('traditional' as const, 'pubky' as const),
  hasSignedPacket: fc.boolean(),
  freshRelays: fc.nat(5),
  freshOnDht: fc.boolean(),
  custody: fc.constantFrom(
    'os-keychain' as const,
    'guardian-recovered' as const,
    'unknown' as const,
    'none' as const,
  ),
  guardianThreshold: fc.nat(6),
  guardianShares: fc.nat(7),
  guardianAcknowledged: fc.nat(7),
  guardianReshareNeeded: fc.boolean(),
  homeserverSelfHosted: fc.constantFrom(true, false, null),
  privateAddresses: fc.nat(3),
  recoveryExported: fc.boolean(),
});

/** JSON with object keys sorted, since jsonb does not keep key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

describe('score parity', () => {
  it('TS preview and SQL agree on 1,000 generated cases', async () => {
    const cases = fc.sample(evidence, { numRuns: 1000, seed: 20261125 });
    const { rows } = await db.pool.query<{ breakdown: unknown }>(
      'SELECT sovereignty_breakdown(e) AS breakdown FROM unnest($1::jsonb[]) WITH ORDINALITY AS t(e, i) ORDER BY i',
      [cases.map((c) => JSON.stringify(c))],
    );
    expect(rows).toHaveLength(1000);
    const mismatches = cases.filter(
      (c, i) => canonical(scoreSovereignty(c)) !== canonical(rows[i]!.breakdown),
    );
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(cases.some((c) => scoreSovereignty(c).total === 100)).toBe(true);
    expect(cases.every((c) => c.domainType === 'pubky' || scoreSovereignty(c).total <= 25)).toBe(
      true,
    );
  });
});
