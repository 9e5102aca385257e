// The companion server in the test's own process, on embedded Postgres under `dataDir`, at an
// address chosen first: the server names its own address in what it asks keys to sign, so it
// must be the one the app uses.
import { loadConfig } from '../../server/config';
import { freePort } from '../../server/db/embedded-postgres';
import { startServer, type RunningServer } from '../../server/start';

export async function startLocalServer(dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  return startServer({
    ...loadConfig({ PUBLIC_ORIGIN: `http://127.0.0.1:${port}` }),
    port,
    feedPort: 0,
    dataDir,
    databaseUrl: undefined,
    logLevel: 'warn',
  });
}
