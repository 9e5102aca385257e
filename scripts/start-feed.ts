// Runs only the live WebSocket feed (the seed's scripts/start_pubky_websocket.js).
import pg from 'pg';
import { AuthService } from '../server/auth/auth-service';
import { loadConfig } from '../server/config';
import { startEmbeddedPostgres, type RunningPostgres } from '../server/db/embedded-postgres';
import { migrate } from '../server/db/migrate';
import { startFeed } from '../server/feed/start-feed';

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: RunningPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ baseDir: config.dataDir });
    url = embedded.url;
  }
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  await migrate(pool);
  const feed = await startFeed({
    pool,
    databaseUrl: url,
    auth: new AuthService(pool),
    host: config.host,
    port: config.feedPort,
  });
  console.log(`pubky-domains live feed on ws://${config.host}:${feed.port}`);
  const stop = () =>
    void feed
      .close()
      .then(() => pool.end())
      .then(() => embedded?.stop())
      .then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(
    `the live feed failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
