import type { PublishHealth } from '../../../src-shared/ipc';

export const HEALTH_WORDS: Readonly<Record<PublishHealth, string>> = {
  never: 'Not published',
  publishing: 'Publishing…',
  published: 'Published',
  partial: 'Partial',
  failing: 'Failing',
  conflict: 'Conflict',
};
