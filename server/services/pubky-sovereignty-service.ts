// The seed's PubkySovereigntyService, on drizzle with typed queries. It registers public halves
// only (secrets are made in the family's app) and reads scores the triggers computed.
import { and, eq, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { z32Encode, parsePublicKey, PkarrError } from '../../src-shared/pkarr';
import type { ScoreBreakdown } from '../../src-shared/score/score-rules';
import * as schema from '../db/schema';
import { guarded, ServiceError } from './service-error';

export type Db = NodePgDatabase<typeof schema>;
export type Custody = 'os-keychain' | 'guardian-recovered' | 'unknown';

/** A public key as z32, or INVALID: the services accept `pk:`/`pubky://` forms too. */
export function publicKeyOf(input: string): string {
  try {
    return z32Encode(parsePublicKey(input));
  } catch (error) {
    if (error instanceof PkarrError)
      throw new ServiceError('INVALID', `not a Pubky public key: ${error.message}`);
    throw error;
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function idOf(input: string, what: string): string {
  if (!uuidPattern.test(input)) throw new ServiceError('INVALID', `${what} is not an id`);
  return input.toLowerCase();
}

export interface PubkyDomain {
  readonly domainRecordId: string;
  readonly pubkyDomainId: string;
  readonly keypairId: string;
  readonly publicKey: string;
  readonly pubkyUrl: string;
}

export interface SovereigntyScore {
  readonly domainRecordId: string;
  readonly score: number;
  readonly breakdown: ScoreBreakdown;
  readonly computedAt: Date;
}

/** Registers the public half of a family key (on the handle or inside a transaction). */
async function insertKeypair(
  db: Pick<Db, 'insert'>,
  familyId: string,
  publicKey: string,
  options: { label?: string; custody?: Custody },
) {
  const [row] = await db
    .insert(schema.pubkyKeypairs)
    .values({
      familyId,
      publicKey,
      label: options.label ?? '',
      custody: options.custody ?? 'unknown',
    })
    .returning();
  return row!;
}

export class PubkySovereigntyService {
  constructor(private readonly db: Db) {}

  /** Registers a family keypair's public key (its secret stays in the family's keychain). */
  createFamilyKeypair(input: {
    familyId: string;
    publicKey: string;
    label?: string;
    custody?: Custody;
  }) {
    const publicKey = publicKeyOf(input.publicKey);
    const familyId = idOf(input.familyId, 'family');
    return guarded('keypair', () => insertKeypair(this.db, familyId, publicKey, input));
  }

  /**
   * A Pubky domain for a family: its domain record, its keypair (registered if new) and the
   * pubky_domains row, in one transaction. The triggers score it.
   */
  createPubkyDomain(input: {
    familyId: string;
    publicKey: string;
    label?: string;
    custody?: Custody;
    homeserver?: { publicKey: string; selfHosted: boolean };
  }): Promise<PubkyDomain> {
    const publicKey = publicKeyOf(input.publicKey);
    const familyId = idOf(input.familyId, 'family');
    const homeserverKey = input.homeserver ? publicKeyOf(input.homeserver.publicKey) : null;
    return guarded('Pubky domain', () =>
      this.db.transaction(async (tx) => {
        const existing = await tx
          .select()
          .from(schema.pubkyKeypairs)
          .where(eq(schema.pubkyKeypairs.publicKey, publicKey));
        if (existing[0] && existing[0].familyId !== familyId) {
          throw new ServiceError('CONFLICT', 'this key is registered to another family');
        }
        const keypair = existing[0] ?? (await insertKeypair(tx, familyId, publicKey, input));
        const [record] = await tx
          .insert(schema.domainRecords)
          .values({ familyId, name: publicKey, domainType: 'pubky', pubkyEnabled: true })
          .returning();
        const [domain] = await tx
          .insert(schema.pubkyDomains)
          .values({
            domainRecordId: record!.id,
            familyId,
            keypairId: keypair.id,
            publicKey,
            homeserverPublicKey: homeserverKey,
            homeserverSelfHosted: input.homeserver ? input.homeserver.selfHosted : null,
          })
          .returning({ id: schema.pubkyDomains.id });
        return {
          domainRecordId: record!.id,
          pubkyDomainId: domain!.id,
          keypairId: keypair.id,
          publicKey,
          pubkyUrl: `pubky://${publicKey}`,
        };
      }),
    );
  }

  /**
   * The domain's score and breakdown. Triggers keep it current as evidence changes; this call
   * re-evaluates first so freshness that ran out with time is reflected.
   */
  async calculateSovereigntyScore(domainRecordId: string): Promise<SovereigntyScore> {
    const id = idOf(domainRecordId, 'domain');
    return guarded('score', async () => {
      await this.db.execute(sql`SELECT rescore_domains(ARRAY[${id}]::uuid[])`);
      const [row] = await this.db
        .select()
        .from(schema.sovereigntyScores)
        .where(eq(schema.sovereigntyScores.domainRecordId, id));
      if (!row) throw new ServiceError('NOT_FOUND', 'no such domain');
      return {
        domainRecordId: id,
        score: row.score,
        breakdown: row.breakdown as ScoreBreakdown,
        computedAt: row.computedAt,
      };
    });
  }

  /** Starts a migration; a domain has at most one active (pending, in progress, verifying). */
  createDomainMigration(input: {
    domainRecordId: string;
    direction: 'dns_to_pubky' | 'pubky_to_dns';
    plan?: unknown;
  }) {
    const domainRecordId = idOf(input.domainRecordId, 'domain');
    return guarded('migration', async () => {
      const [domain] = await this.db
        .select({ familyId: schema.domainRecords.familyId })
        .from(schema.domainRecords)
        .where(eq(schema.domainRecords.id, domainRecordId));
      if (!domain) throw new ServiceError('NOT_FOUND', 'no such domain');
      try {
        const [row] = await this.db
          .insert(schema.domainMigrations)
          .values({
            domainRecordId,
            familyId: domain.familyId,
            direction: input.direction,
            plan: input.plan ?? {},
          })
          .returning();
        return row!;
      } catch (error) {
        const code =
          (error as { code?: string; cause?: { code?: string } }).cause?.code ??
          (error as { code?: string }).code;
        if (code === '23505')
          throw new ServiceError('CONFLICT', 'this domain already has a migration in progress');
        throw error;
      }
    });
  }

  /** Turns Pubky on for a family, optionally with its own key, homeserver and relay. */
  enablePubkyForFamily(
    familyId: string,
    options: { publicKey?: string; homeserverUrl?: string; relayUrl?: string } = {},
  ) {
    const id = idOf(familyId, 'family');
    const publicKey = options.publicKey ? publicKeyOf(options.publicKey) : undefined;
    return guarded('family', async () => {
      const [row] = await this.db
        .update(schema.families)
        .set({
          pubkyEnabled: true,
          ...(publicKey ? { pubkyPublicKey: publicKey, pubkyUrl: `pubky://${publicKey}` } : {}),
          ...(options.homeserverUrl ? { pubkyHomeserverUrl: options.homeserverUrl } : {}),
          ...(options.relayUrl ? { pubkyRelayUrl: options.relayUrl } : {}),
        })
        .where(eq(schema.families.id, id))
        .returning();
      if (!row) throw new ServiceError('NOT_FOUND', 'no such family');
      return row;
    });
  }

  /** A domain's score over time, oldest first, for charts. */
  scoreHistory(domainRecordId: string, limit = 500) {
    const id = idOf(domainRecordId, 'domain');
    return guarded('score history', () =>
      this.db
        .select({
          score: schema.sovereigntyScoreHistory.score,
          computedAt: schema.sovereigntyScoreHistory.computedAt,
        })
        .from(schema.sovereigntyScoreHistory)
        .where(and(eq(schema.sovereigntyScoreHistory.domainRecordId, id)))
        .orderBy(schema.sovereigntyScoreHistory.id)
        .limit(limit),
    );
  }
}
