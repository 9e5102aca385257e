// What the renderer sees of a migration: public records and its steps (docs/migration.md).
import type { MigrationView } from '../../src-shared/ipc';
import type { StoredMigration } from '../store/local-store';

export const migrationView = (m: StoredMigration): MigrationView => ({
  id: m.id,
  domain: m.domain,
  zone: m.zone,
  direction: m.direction,
  status: m.status,
  planned: m.planned,
  previous: m.previous,
  rollbackRequested: m.rollbackRequested,
  error: m.error,
  steps: m.steps,
  createdAt: m.createdAt,
  updatedAt: m.updatedAt,
  shared: m.serverId !== null,
});
