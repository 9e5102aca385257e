// The seed's entry point (`node scripts/run_pubky_migrations.js`): runs the real migration
// runner, the same as `npm run migrate`.
import { register } from 'tsx/esm/api';

register();
await import('./migrate.ts');
