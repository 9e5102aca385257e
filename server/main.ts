// `npm run server`: the companion server until SIGINT or SIGTERM, then a clean stop.
import { loadConfig } from './config';
import { startServer } from './start';

async function main(): Promise<void> {
  // Every promise has an owner that answers its caller; this is the last line behind them: a
  // rejection nobody owned is a bug to log loudly, not a reason to take every family offline.
  process.on('unhandledRejection', (reason: unknown) => {
    console.error('unhandled rejection (a bug; the server keeps serving):', reason);
  });
  const config = loadConfig();
  const server = await startServer(config);
  console.log(`pubky-domains server listening on ${server.url}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('stop failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(
    `pubky-domains server failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
