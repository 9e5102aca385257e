// Where a packet goes, as the outbox names it: relay URLs, the Mainline DHT, and the family's
// companion server (which keeps the family's newest packet and tells its other devices).

/** The outbox and upstream target name of the Mainline DHT (beside relay URLs). */
export const DHT_TARGET = 'dht';

/** The outbox target name of the companion server's packet sync (`POST /sync/packets`). */
export const COMPANION_TARGET = 'companion';

/** A target as people read it: "Mainline DHT", "Companion server", or the relay's host. */
export function targetLabel(target: string): string {
  if (target === DHT_TARGET) return 'Mainline DHT';
  if (target === COMPANION_TARGET) return 'Companion server';
  return target.replace(/^https?:\/\//, '');
}
