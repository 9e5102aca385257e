// The seed's DomainService: registering a Pubky domain by name for a family.
import type pg from 'pg';
import type { Custody, PubkyDomain } from './pubky-sovereignty-service';
import { PubkySovereigntyService } from './pubky-sovereignty-service';
import { ServiceError } from './service-error';
import { isZ32PublicKey } from '../../src-shared/pkarr';

export class DomainService {
  private readonly sovereignty: PubkySovereigntyService;

  constructor(pool: pg.Pool) {
    this.sovereignty = new PubkySovereigntyService(pool);
  }

  /**
   * A Pubky domain's name is its public key (`pk:…`, `pubky://…` or bare z32), made in the
   * family's app. A friendly name such as 'example.pubky' can be given as the label together
   * with the key; without a key it is refused, since the server never makes keys.
   */
  registerPubkyDomain(
    name: string,
    familyId: string,
    options: { publicKey?: string; custody?: Custody } = {},
  ): Promise<PubkyDomain> {
    const publicKey = options.publicKey ?? (isZ32PublicKey(name) ? name : undefined);
    if (!publicKey) {
      throw new ServiceError(
        'INVALID',
        `"${name}" is not a public key: create the domain's key in the app, then register it with that key`,
      );
    }
    return this.sovereignty.createPubkyDomain({
      familyId,
      publicKey,
      ...(options.publicKey && name !== options.publicKey ? { label: name } : {}),
      ...(options.custody ? { custody: options.custody } : {}),
    });
  }
}
