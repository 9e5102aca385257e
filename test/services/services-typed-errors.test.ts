// The seed's services on real Postgres: they work, and every constraint violation comes back as
// a typed ServiceError (conflict, not found, invalid), never as a raw driver error.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../server/db/migrate';
import { DomainService } from '../../server/services/domain-service';
import { PubkySovereigntyService } from '../../server/services/pubky-sovereignty-service';
import { ServiceError } from '../../server/services/service-error';
import { freshDatabase } from '../support/database';
import { family, randomKey } from '../support/schema-fixtures';

const db = await freshDatabase();
await migrate(db.pool);
const service = new PubkySovereigntyService(db.pool);
const domains = new DomainService(db.pool);

async function failure(work: () => Promise<unknown>): Promise<ServiceError> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    return error as ServiceError;
  }
  throw new Error('expected a ServiceError');
}

describe('PubkySovereigntyService and DomainService', () => {
  it('registers a Pubky domain by its key and scores it through the triggers', async () => {
    const familyId = await family(db.pool);
    const key = randomKey();
    const domain = await domains.registerPubkyDomain(`pk:${key}`, familyId);
    expect(domain).toMatchObject({ publicKey: key, pubkyUrl: `pubky://${key}` });
    const score = await service.calculateSovereigntyScore(domain.domainRecordId);
    expect(score.breakdown.factors).toHaveLength(5);
    expect(score.score).toBe(score.breakdown.total);
    const labelled = await domains.registerPubkyDomain('example.pubky', familyId, {
      publicKey: randomKey(),
    });
    expect(labelled.publicKey).not.toBe(key);
    expect((await service.scoreHistory(domain.domainRecordId)).length).toBeGreaterThan(0);
  });

  it('enables Pubky for a family', async () => {
    const familyId = await family(db.pool);
    const key = randomKey();
    const row = await service.enablePubkyForFamily(familyId, {
      publicKey: key,
      relayUrl: 'https://relay.example',
    });
    expect(row).toMatchObject({ pubkyEnabled: true, pubkyUrl: `pubky://${key}` });
  });

  it('CONFLICT: the same key twice, a key of another family, a second active migration', async () => {
    const familyId = await family(db.pool);
    const other = await family(db.pool, 'Other');
    const key = randomKey();
    await service.createFamilyKeypair({ familyId, publicKey: key });
    expect(
      (await failure(() => service.createFamilyKeypair({ familyId, publicKey: key }))).code,
    ).toBe('CONFLICT');
    expect(
      (await failure(() => service.createPubkyDomain({ familyId: other, publicKey: key }))).code,
    ).toBe('CONFLICT');
    const domain = await service.createPubkyDomain({ familyId, publicKey: randomKey() });
    await service.createDomainMigration({
      domainRecordId: domain.domainRecordId,
      direction: 'pubky_to_dns',
    });
    const second = await failure(() =>
      service.createDomainMigration({
        domainRecordId: domain.domainRecordId,
        direction: 'pubky_to_dns',
      }),
    );
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toMatch(/already has a migration/);
    const registeredTwice = await failure(() =>
      domains.registerPubkyDomain(domain.publicKey, familyId),
    );
    expect(registeredTwice.code).toBe('CONFLICT');
  });

  it('NOT_FOUND: unknown family, unknown domain', async () => {
    const missing = randomUUID();
    expect(
      (
        await failure(() =>
          service.createFamilyKeypair({ familyId: missing, publicKey: randomKey() }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    expect((await failure(() => service.enablePubkyForFamily(missing))).code).toBe('NOT_FOUND');
    expect((await failure(() => service.calculateSovereigntyScore(missing))).code).toBe(
      'NOT_FOUND',
    );
    expect(
      (
        await failure(() =>
          service.createDomainMigration({ domainRecordId: missing, direction: 'dns_to_pubky' }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await failure(() =>
          service.createPubkyDomain({ familyId: missing, publicKey: randomKey() }),
        )
      ).code,
    ).toBe('NOT_FOUND');
  });

  it('INVALID: bad keys, bad ids, bad values', async () => {
    const familyId = await family(db.pool);
    expect(
      (await failure(async () => domains.registerPubkyDomain('example.pubky', familyId))).code,
    ).toBe('INVALID');
    expect(
      (await failure(() => service.createFamilyKeypair({ familyId, publicKey: 'not-a-key' }))).code,
    ).toBe('INVALID');
    expect(
      (
        await failure(() =>
          service.createFamilyKeypair({ familyId: 'nope', publicKey: randomKey() }),
        )
      ).code,
    ).toBe('INVALID');
    expect(
      (
        await failure(() =>
          service.createFamilyKeypair({ familyId, publicKey: randomKey(), label: 'x'.repeat(500) }),
        )
      ).code,
    ).toBe('INVALID');
    expect(
      (
        await failure(() =>
          service.createFamilyKeypair({
            familyId,
            publicKey: randomKey(),
            custody: 'paper' as never,
          }),
        )
      ).code,
    ).toBe('INVALID');
    expect((await failure(() => service.calculateSovereigntyScore("1' OR '1'='1"))).code).toBe(
      'INVALID',
    );
  });
});
