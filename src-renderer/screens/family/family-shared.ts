// What the family screens share: their query keys and how a domain's name reads.
import { isZ32PublicKey } from '../../../src-shared/pkarr';
import { shortKey } from '../../ui/short-key';

export const familyKeys = {
  list: ['families'] as const,
  invitations: ['invitations'] as const,
  keyShares: ['key-shares'] as const,
  one: (id: string) => ['family', id] as const,
  activity: (id: string) => ['family-activity', id] as const,
};

/** A domain the server names by its key is shown as people see keys. */
export const domainName = (name: string) =>
  isZ32PublicKey(name) ? `pubky://${shortKey(name)}` : name;
