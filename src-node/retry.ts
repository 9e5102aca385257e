// What the app's outbox and the server's upstream forwarder share about trying again: where a
// failed delivery goes is the same question for both (a relay that is down, the DHT unreachable).

export { DHT_TARGET } from '../src-shared/publish/targets';

/**
 * The delay before attempt `attempts + 1`: `firstMs`, doubling, capped at an hour, with ±25 %
 * jitter so many clients (or processes) recovering together do not retry in step.
 */
export function retryDelayMs(attempts: number, firstMs: number): number {
  return (
    Math.min(60 * 60_000, firstMs * 2 ** Math.max(0, attempts - 1)) * (0.75 + Math.random() * 0.5)
  );
}
