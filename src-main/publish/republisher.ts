// Keeps every domain fresh: DHT nodes forget items within hours to days and relays cache, so each
// domain's packet is put again on a schedule (hourly by default, the reference cadence). It never
// lowers what is out there: when the network holds a newer packet (another device published),
// that one is adopted instead of overwritten.
import { parsePublicKey } from '../../src-shared/pkarr';
import type { LocalStore } from '../store/local-store';
import { fresher, type DhtClient } from '../../src-shared/publish/dht-client';
import type { Publisher } from './publisher';
import type { RelayClient } from '../../src-shared/publish/relay-client';

export const DEFAULT_REPUBLISH_INTERVAL_MS = 60 * 60 * 1000;

export interface RepublisherDeps {
  readonly store: LocalStore;
  readonly publisher: Publisher;
  readonly relayClient: RelayClient;
  readonly relays: () => readonly string[];
  readonly dht?: DhtClient | undefined;
  readonly dhtEnabled?: () => boolean;
  /** Read before each wait, so a new setting applies from the next round. */
  readonly intervalMs?: number | (() => number);
  readonly log?: (line: string) => void;
}

export class Republisher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly deps: RepublisherDeps) {}

  /** One round over every domain with a packet: adopt newer ones, queue ours again, deliver. */
  async runOnce(): Promise<{ republished: number; adopted: number }> {
    let republished = 0;
    let adopted = 0;
    for (const { publicKey: domain } of this.deps.store.listDomains()) {
      if (!this.deps.store.getPacket(domain)) continue;
      const key = parsePublicKey(domain);
      const fromRelays = (await this.deps.relayClient.resolve(this.deps.relays(), key)).packet;
      const fromDht =
        this.deps.dht && (this.deps.dhtEnabled?.() ?? true)
          ? await this.deps.dht.get(key).catch(() => undefined)
          : undefined;
      const newest = fresher(fromRelays, fromDht);
      const received = newest && this.deps.publisher.receive(newest, 'republish');
      if (received === 'conflict')
        this.deps.log?.(`a newer packet for ${domain} conflicts with unpublished edits`);
      if (received === 'adopted') {
        adopted++;
        this.deps.log?.(`adopted a newer packet for ${domain} from the network`);
      }
      if (this.deps.publisher.republish(domain)) republished++;
    }
    await this.deps.publisher.processOutbox();
    return { republished, adopted };
  }

  private interval(): number {
    const setting = this.deps.intervalMs ?? DEFAULT_REPUBLISH_INTERVAL_MS;
    return typeof setting === 'function' ? setting() : setting;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const next = () => {
      this.timer = setTimeout(() => {
        this.runOnce()
          .catch((error: unknown) => this.deps.log?.(`republish round failed: ${String(error)}`))
          .finally(() => this.running && next());
      }, this.interval());
      this.timer.unref();
    };
    next();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
