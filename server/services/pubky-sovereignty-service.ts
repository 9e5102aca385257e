// The seed's PubkySovereigntyService, in the services' one style: SQL through pg. It registers
// public halves only (secrets are made in the family's app) and reads scores the triggers computed.
import type pg from 'pg';
import { z32Encode, parsePublicKey, PkarrError } from '../../src-shared/pkarr';
import type { ScoreBreakdown } from '../../src-shared/score/score-rules';
import { inTransaction } from '../db/transaction';
import { guarded, ServiceError } from './service-error';

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

/** Registers the public half of a family key (on the pool or inside a transaction). */
async function insertKeypair(
  db: pg.Pool | pg.PoolClient,
  familyId: string,
  publicKey: string,
  options: { label?: string; custody?: Custody },
): Promise<{ id: string; familyId: string; publicKey: string }> {
  const { rows } = await db.query<{ id: string; familyId: string; publicKey: string }>(
    `INSERT INTO pubky_keypairs (family_id, public_key, label, custody) VALUES ($1, $2, $3, $4)
     RETURNING id, family_id AS "familyId", public_key AS "publicKey"`,
    [familyId, publicKey, options.label ?? '', options.custody ?? 'unknown'],
  );
  return rows[0]!;
}

const MIGRATION_COLUMNS = `id, domain_record_id AS "domainRecordId", family_id AS "familyId",
  direction, status, error, plan, created_at AS "createdAt", updated_at AS "updatedAt"`;

export class PubkySovereigntyService {
  constructor(private readonly pool: pg.Pool) {}

  /** Registers a family keypair's public key (its secret stays in the family's keychain). */
  createFamilyKeypair(input: {
    familyId: string;
    publicKey: string;
    label?: string;
    custody?: Custody;
  }) {
    const publicKey = publicKeyOf(input.publicKey);
    const familyId = idOf(input.familyId, 'family');
    return guarded('keypair', () => insertKeypair(this.pool, familyId, publicKey, input));
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
      inTransaction(this.pool, async (client) => {
        const { rows: existing } = await client.query<{ id: string; familyId: string }>(
          'SELECT id, family_id AS "familyId" FROM pubky_keypairs WHERE public_key = $1',
          [publicKey],
        );
        if (existing[0] && existing[0].familyId !== familyId) {
          throw new ServiceError('CONFLICT', 'this key is registered to another family');
        }
        const keypair = existing[0] ?? (await insertKeypair(client, familyId, publicKey, input));
        const { rows: records } = await client.query<{ id: string }>(
          `INSERT INTO domain_records (family_id, name, domain_type, pubky_enabled)
           VALUES ($1, $2, 'pubky', true) RETURNING id`,
          [familyId, publicKey],
        );
        const recordId = records[0]!.id;
        const { rows: domains } = await client.query<{ id: string }>(
          `INSERT INTO pubky_domains (domain_record_id, family_id, keypair_id, public_key,
             homeserver_public_key, homeserver_self_hosted)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [
            recordId,
            familyId,
            keypair.id,
            publicKey,
            homeserverKey,
            input.homeserver ? input.homeserver.selfHosted : null,
          ],
        );
        return {
          domainRecordId: recordId,
          pubkyDomainId: domains[0]!.id,
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
  /**
   * What the app reports that the server cannot see: the domain key's recovery file saved (kept
   * as the first time), the homeserver chosen. Either change rescores the domain (triggers).
   */
  recordFacts(
    domainRecordId: string,
    facts: {
      recoveryExported: boolean;
      homeserver?: { publicKey: string; selfHosted: boolean };
    },
  ): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: string; keypair_id: string }>(
        'SELECT id, keypair_id FROM pubky_domains WHERE domain_record_id = $1',
        [domainRecordId],
      );
      const domain = rows[0];
      if (!domain) throw new ServiceError('NOT_FOUND', 'this domain has no Pubky key');
      if (facts.recoveryExported)
        await client.query(
          `UPDATE pubky_keypairs SET recovery_exported_at = now()
           WHERE id = $1 AND recovery_exported_at IS NULL`,
          [domain.keypair_id],
        );
      if (facts.homeserver)
        await client.query(
          `UPDATE pubky_domains SET homeserver_public_key = $2, homeserver_self_hosted = $3,
             updated_at = now()
           WHERE id = $1 AND (homeserver_public_key IS DISTINCT FROM $2
             OR homeserver_self_hosted IS DISTINCT FROM $3)`,
          [domain.id, facts.homeserver.publicKey, facts.homeserver.selfHosted],
        );
    });
  }

  async calculateSovereigntyScore(domainRecordId: string): Promise<SovereigntyScore> {
    const id = idOf(domainRecordId, 'domain');
    return guarded('score', async () => {
      await this.pool.query('SELECT rescore_domains(ARRAY[$1]::uuid[])', [id]);
      const { rows } = await this.pool.query<{
        score: number;
        breakdown: ScoreBreakdown;
        computedAt: Date;
      }>(
        `SELECT score, breakdown, computed_at AS "computedAt" FROM sovereignty_scores
         WHERE domain_record_id = $1`,
        [id],
      );
      const row = rows[0];
      if (!row) throw new ServiceError('NOT_FOUND', 'no such domain');
      return { domainRecordId: id, ...row };
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
      const { rows } = await this.pool
        .query<Record<string, unknown>>(
          `INSERT INTO domain_migrations (domain_record_id, family_id, direction, plan)
         SELECT id, family_id, $2, $3 FROM domain_records WHERE id = $1
         RETURNING ${MIGRATION_COLUMNS}`,
          [domainRecordId, input.direction, JSON.stringify(input.plan ?? {})],
        )
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === '23505')
            throw new ServiceError('CONFLICT', 'this domain already has a migration in progress');
          throw error;
        });
      if (!rows[0]) throw new ServiceError('NOT_FOUND', 'no such domain');
      return rows[0];
    });
  }

  /** Turns Pubky on for a family, optionally with its own key, homeserver and relay. */
  enablePubkyForFamily(
    familyId: string,
    options: { publicKey?: string; homeserverUrl?: string; relayUrl?: string } = {},
  ) {
    const id = idOf(familyId, 'family');
    const publicKey = options.publicKey ? publicKeyOf(options.publicKey) : null;
    return guarded('family', async () => {
      const { rows } = await this.pool.query<Record<string, unknown>>(
        `UPDATE families SET pubky_enabled = true,
           pubky_public_key = coalesce($2, pubky_public_key),
           pubky_url = coalesce('pubky://' || $2, pubky_url),
           pubky_homeserver_url = coalesce($3, pubky_homeserver_url),
           pubky_relay_url = coalesce($4, pubky_relay_url)
         WHERE id = $1
         RETURNING id, name, created_at AS "createdAt", pubky_url AS "pubkyUrl",
           pubky_public_key AS "pubkyPublicKey", pubky_homeserver_url AS "pubkyHomeserverUrl",
           pubky_relay_url AS "pubkyRelayUrl", pubky_enabled AS "pubkyEnabled"`,
        [id, publicKey, options.homeserverUrl || null, options.relayUrl || null],
      );
      if (!rows[0]) throw new ServiceError('NOT_FOUND', 'no such family');
      return rows[0];
    });
  }

  /** A domain's score over time, oldest first, for charts. */
  scoreHistory(domainRecordId: string, limit = 500) {
    const id = idOf(domainRecordId, 'domain');
    return guarded('score history', async () => {
      const { rows } = await this.pool.query<{ score: number; computedAt: Date }>(
        `SELECT score, computed_at AS "computedAt" FROM sovereignty_score_history
         WHERE domain_record_id = $1 ORDER BY id LIMIT $2`,
        [id, limit],
      );
      return rows;
    });
  }
}
