// The seed's entry point (`node scripts/start_pubky_websocket.js`): the live feed alone, on
// FEED_PORT (default 3002), over DATABASE_URL or the embedded cluster, after the migrations.
import { register } from 'tsx/esm/api';

register();
await import('./start-feed.ts');
