// Runs only the live WebSocket feed (the seed's scripts/start_pubky_websocket.js).
import { AuthService } from '../server/auth/auth-service';
import { loadConfig } from '../server/config';
import { loadJwtKeys } from '../server/auth/jwt-keys';
import { migrate } from '../server/db/migrate';
import { openDatabase } from '../server/db/open-database';
import { startFeed } from '../server/feed/start-feed';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, { maxConnections: 5 });
  await migrate(database.ownerPool);
  const { pool, url } = await database.runtime({ maxConnections: 5 });
  const auth = new AuthService(pool, {
    origin: config.publicOrigin,
    keys: await loadJwtKeys(config, (line) => console.log(line)),
  });
  await auth.listen(url);
  const feed = await startFeed({
    pool,
    databaseUrl: url,
    auth,
    host: config.host,
    port: config.feedPort,
  });
  console.log(`pubky-domains live feed on ws://${config.host}:${feed.port}`);
  const stop = () =>
    void feed
      .close()
      .then(() => auth.close())
      .then(() => database.close())
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
