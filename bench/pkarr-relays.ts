// The `pkarr` package's relay, each in a process of its own on a loopback DHT of its own
// (bench/pkarr-relay-process.ts): the peer our relay and the app are measured beside.
import { fork } from 'node:child_process';

export async function startPkarrRelay(): Promise<{ url: string; stop: () => void }> {
  const child = fork('bench/pkarr-relay-process.ts', [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const { url } = await new Promise<{ url: string }>((resolve) =>
    child.once('message', (message) => resolve(message as { url: string })),
  );
  return { url, stop: () => child.disconnect() };
}
