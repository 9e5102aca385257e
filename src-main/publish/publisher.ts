// Publishing: sign a domain's records, keep the packet locally, and deliver it to every relay
// and the DHT through the outbox. Targets are independent (a hanging relay holds back no
// other), failures retry with backoff, and after a crash nothing is lost or sent twice.
import { assertNever } from '../../src-shared/assert-never';
import { retryDelayMs } from '../../src-node/retry';
import { COMPANION_TARGET, DHT_TARGET } from '../../src-shared/publish/targets';
import {
  compareFreshness,
  decodeRelayPayload,
  encodeRelayPayload,
  nowMicros,
  parsePublicKey,
  signPacket,
  z32Encode,
  type DnsRecord,
  type Ed25519Verifier,
  type PacketSigner,
  type SignedPacket,
} from '../../src-shared/pkarr';
import type { IpcEvents } from '../../src-shared/ipc';
import type { LocalStore, OutboxRow } from '../store/local-store';
import type { DhtClient } from '../../src-shared/publish/dht-client';
import type { RelayClient } from '../../src-shared/publish/relay-client';

export interface PublisherDeps {
  readonly store: LocalStore;
  readonly verifier: Ed25519Verifier;
  readonly relayClient: RelayClient;
  readonly relays: () => readonly string[];
  readonly dht?: DhtClient | undefined;
  /** Whether the person wants the DHT used (Settings); the DHT is used only when it runs too. */
  readonly dhtEnabled?: () => boolean;
  readonly log?: (line: string) => void;
  /** Told when a domain's drafts, packet or conflict changed outside a request (adopt, conflict). */
  readonly onDomainChanged?: (domain: string) => void;
  /** Told of every change of a target's state, as it happens (main turns it into events). */
  readonly onProgress?: (progress: PublishProgress) => void;
  readonly now?: () => number;
  /** Delay before retry number `attempts` (1-based). */
  readonly backoffMs?: (attempts: number) => number;
  /** The family's companion server, a target while this device is signed in (family-sync.ts). */
  readonly companion?: CompanionTarget;
}

/** One more place a packet goes: the companion server's packet sync. */
export interface CompanionTarget {
  /** Whether new packets go there too (signed in). */
  enabled(): boolean;
  deliver(packet: SignedPacket): Promise<Delivery>;
}

/** 2 s, 4 s, 8 s … capped at an hour, with jitter so many apps do not retry in step. */
export const defaultBackoff = (attempts: number): number => retryDelayMs(attempts, 2000);

export type Delivery =
  | { readonly kind: 'done'; readonly detail: string; readonly status?: number }
  | {
      readonly kind: 'superseded';
      readonly detail: string;
      readonly status?: number;
      readonly newer?: SignedPacket;
    }
  | {
      readonly kind: 'retry';
      readonly detail: string;
      readonly status?: number;
      readonly retryAfterMs?: number;
    };

export type PublishProgress = IpcEvents['publish:progress'];

export class Publisher {
  private readonly now: () => number;
  private readonly backoff: (attempts: number) => number;

  constructor(private readonly deps: PublisherDeps) {
    this.now = deps.now ?? Date.now;
    this.backoff = deps.backoffMs ?? defaultBackoff;
  }

  private targets(): string[] {
    const dht = this.deps.dht && (this.deps.dhtEnabled?.() ?? true);
    const companion = this.deps.companion?.enabled() ?? false;
    return [
      ...this.deps.relays(),
      ...(dht ? [DHT_TARGET] : []),
      ...(companion ? [COMPANION_TARGET] : []),
    ];
  }

  private progress(progress: Omit<PublishProgress, 'at'>): void {
    try {
      this.deps.onProgress?.({ ...progress, at: this.now() });
    } catch (error) {
      this.deps.log?.(`progress listener failed: ${String(error)}`);
    }
  }

  private queued(domain: string, timestamp: number, targets: readonly string[]): void {
    for (const target of targets)
      this.progress({ domain, timestamp, target, state: 'queued', detail: null, attempts: 0 });
  }

  /**
   * Signs `records` for the signer's domain and queues the packet for every target. Its
   * timestamp is never below one already out, so a fast clock-skewed edit still wins.
   */
  publish(signer: PacketSigner, records: readonly DnsRecord[]): SignedPacket {
    const domain = z32Encode(signer.publicKey);
    const previous = this.deps.store.getPacket(domain);
    // Publishing on top of a conflict: newer than the other device's packet too.
    const theirs = this.deps.store.getConflict(domain);
    const timestamp = Math.max(
      nowMicros(),
      (previous?.timestamp ?? 0) + 1,
      (theirs?.timestamp ?? 0) + 1,
    );
    const packet = signPacket(signer, records, { timestamp });
    const targets = this.targets();
    this.deps.store.addDomain(domain);
    this.deps.store.storeAndQueue(
      { domain, timestamp, payload: encodeRelayPayload(packet) },
      targets,
      this.now(),
    );
    this.deps.store.clearConflict(domain);
    this.queued(domain, timestamp, targets);
    return packet;
  }

  /** Queues the domain's current packet for the companion server alone (a domain just registered). */
  sendToCompanion(domain: string): boolean {
    const stored = this.deps.store.getPacket(domain);
    if (!stored || !this.deps.companion?.enabled()) return false;
    this.deps.store.storeAndQueue(stored, [COMPANION_TARGET], this.now());
    this.queued(domain, stored.timestamp, [COMPANION_TARGET]);
    return true;
  }

  /**
   * A packet another device published (the family's server or the network told us): without
   * edits waiting here the drafts follow it; with them it is kept beside them as a conflict for
   * the person to settle. Older or equal packets change nothing.
   */
  receive(packet: SignedPacket, source: string): 'adopted' | 'conflict' | 'known' {
    const domain = z32Encode(packet.publicKey);
    if (this.deps.store.hasUnpublishedChanges(domain))
      return this.noteConflict(packet, source) ? 'conflict' : 'known';
    return this.adopt(packet) ? 'adopted' : 'known';
  }

  /** Queues the domain's current packet again for every target (same timestamp). */
  republish(domain: string): boolean {
    const stored = this.deps.store.getPacket(domain);
    if (!stored) return false;
    const targets = this.targets();
    this.deps.store.storeAndQueue(stored, targets, this.now());
    this.queued(domain, stored.timestamp, targets);
    return true;
  }

  /**
   * A newer packet than ours from elsewhere (another device holding the same key). It is kept
   * beside the drafts, never over them: the person compares both and adopts theirs or
   * publishes on top (docs/protocol.md). Returns whether it is newer than what we know.
   */
  noteConflict(packet: SignedPacket, source: string): boolean {
    const domain = z32Encode(packet.publicKey);
    const stored = this.deps.store.getPacket(domain);
    if (stored) {
      const current = decodeRelayPayload(this.deps.verifier, packet.publicKey, stored.payload);
      if (compareFreshness(packet, current) <= 0) return false;
    }
    this.deps.store.addDomain(domain);
    this.deps.store.setConflict({
      domain,
      timestamp: packet.timestamp,
      payload: encodeRelayPayload(packet),
      foundAt: this.now(),
      source,
    });
    this.deps.onDomainChanged?.(domain);
    return true;
  }

  /** Takes the conflicting packet as ours: drafts and stored packet become theirs. */
  adoptConflict(domain: string): boolean {
    const conflict = this.deps.store.getConflict(domain);
    if (!conflict) return false;
    const packet = decodeRelayPayload(
      this.deps.verifier,
      parsePublicKey(domain),
      conflict.payload,
      {
        maxFutureMicros: Number.MAX_SAFE_INTEGER,
      },
    );
    this.deps.store.clearConflict(domain);
    this.adopt(packet);
    return true;
  }

  /** Adopts a newer packet found on the network (e.g. published from another device). */
  adopt(packet: SignedPacket): boolean {
    const domain = z32Encode(packet.publicKey);
    const stored = this.deps.store.getPacket(domain);
    if (stored) {
      const current = decodeRelayPayload(this.deps.verifier, packet.publicKey, stored.payload);
      if (compareFreshness(packet, current) <= 0) return false;
    }
    const now = this.now();
    this.deps.store.addDomain(domain);
    // One time for both: the drafts are what was stored, not an edit made after it.
    this.deps.store.transaction(() => {
      this.deps.store.storeAndQueue(
        { domain, timestamp: packet.timestamp, payload: encodeRelayPayload(packet) },
        [],
        now,
      );
      this.deps.store.setDrafts(domain, packet.records, now);
    });
    this.deps.onDomainChanged?.(domain);
    return true;
  }

  /** Delivers every due outbox entry once; resolves with how many were handled. */
  processOutbox(): Promise<number> {
    // Every call claims what is due now and delivers it: claiming marks entries in flight in one
    // transaction, so passes that overlap never take an entry twice, and a publish made while a
    // slow target holds an earlier pass goes out at once instead of at the next timer. Timers and
    // handlers start passes without waiting: a failed pass is logged here and never rejects
    // (what it did not deliver stays due for the next pass).
    return this.runPass().catch((error: unknown) => {
      this.deps.log?.(
        `outbox pass failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return 0;
    });
  }

  private async runPass(): Promise<number> {
    const due = this.deps.store.claimDue(this.now());
    await Promise.all(due.map((entry) => this.deliver(entry)));
    return due.length;
  }

  private async deliver(entry: OutboxRow): Promise<void> {
    const stored = this.deps.store.getPacket(entry.domain);
    if (!stored || stored.timestamp !== entry.timestamp) {
      this.deps.store.supersedeOutbox(entry.id, 'a newer packet replaced it', this.now());
      return;
    }
    const packet = decodeRelayPayload(
      this.deps.verifier,
      parsePublicKey(entry.domain),
      stored.payload,
    );
    const base = { domain: entry.domain, timestamp: entry.timestamp, target: entry.target };
    this.progress({ ...base, state: 'sending', detail: null, attempts: entry.attempts });
    const started = this.now();
    let result: Delivery;
    try {
      result =
        entry.target === DHT_TARGET
          ? await this.toDht(packet, entry)
          : entry.target === COMPANION_TARGET
            ? await this.toCompanion(packet)
            : await this.toRelay(entry.target, packet, entry);
    } catch (error) {
      result = { kind: 'retry', detail: error instanceof Error ? error.message : String(error) };
    }
    const now = this.now();
    this.deps.store.recordAttempt({
      domain: entry.domain,
      timestamp: entry.timestamp,
      target: entry.target,
      outcome: result.kind,
      httpStatus: result.status ?? null,
      detail: result.detail,
      at: now,
    });
    switch (result.kind) {
      case 'done':
        this.deps.store.finishOutbox(entry.id, now);
        this.progress({
          ...base,
          state: 'stored',
          detail: result.detail,
          attempts: entry.attempts,
          latencyMs: now - started,
        });
        break;
      case 'superseded':
        this.deps.store.supersedeOutbox(entry.id, result.detail, now);
        if (result.newer) this.noteConflict(result.newer, entry.target);
        this.progress({
          ...base,
          state: 'superseded',
          detail: result.detail,
          attempts: entry.attempts,
        });
        break;
      case 'retry': {
        const nextAttemptAt = now + (result.retryAfterMs ?? this.backoff(entry.attempts));
        this.deps.store.retryOutbox(entry.id, result.detail, nextAttemptAt, now);
        this.progress({
          ...base,
          state: 'retrying',
          detail: result.detail,
          attempts: entry.attempts,
          nextAttemptAt: Math.ceil(nextAttemptAt),
        });
        this.deps.log?.(
          `publish ${entry.domain} to ${entry.target} will be retried: ${result.detail}`,
        );
        break;
      }
      default:
        assertNever(result);
    }
  }

  /**
   * True when an earlier attempt (one that failed, timed out or was cut short by a crash) may
   * have reached the target: then we ask the target before sending again.
   */
  private static mayHaveArrived(entry: OutboxRow): boolean {
    return entry.attempts > 1;
  }

  private async toRelay(relay: string, packet: SignedPacket, entry: OutboxRow): Promise<Delivery> {
    if (Publisher.mayHaveArrived(entry)) {
      const current = await this.deps.relayClient.get(relay, packet.publicKey);
      if (current.kind === 'found' && compareFreshness(current.packet, packet) >= 0) {
        return compareFreshness(current.packet, packet) === 0
          ? { kind: 'done', detail: 'relay already holds it' }
          : { kind: 'superseded', detail: 'relay holds a newer packet', newer: current.packet };
      }
    }
    const outcome = await this.deps.relayClient.put(relay, packet);
    switch (outcome.kind) {
      case 'published':
        return { kind: 'done', status: outcome.status, detail: 'published' };
      case 'stale':
        return {
          kind: 'superseded',
          status: outcome.status,
          detail: 'relay holds a newer packet',
          ...(outcome.newer ? { newer: outcome.newer } : {}),
        };
      case 'rejected':
        return {
          kind: 'superseded',
          status: outcome.status,
          detail: `relay refused the packet: ${outcome.detail}`,
        };
      case 'retry':
        return {
          kind: 'retry',
          detail: outcome.detail,
          ...(outcome.status === undefined ? {} : { status: outcome.status }),
          ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
        };
      default:
        assertNever(outcome);
    }
  }

  private async toCompanion(packet: SignedPacket): Promise<Delivery> {
    const companion = this.deps.companion;
    if (!companion) return { kind: 'superseded', detail: 'no companion server in this app' };
    return companion.deliver(packet);
  }

  private async toDht(packet: SignedPacket, entry: OutboxRow): Promise<Delivery> {
    const dht = this.deps.dht;
    if (!dht) return { kind: 'retry', detail: 'DHT is not running' };
    const holdsIt = async (): Promise<Delivery | undefined> => {
      const current = await dht.get(packet.publicKey);
      if (!current || compareFreshness(current, packet) < 0) return undefined;
      return compareFreshness(current, packet) === 0
        ? { kind: 'done', detail: 'DHT already holds it' }
        : { kind: 'superseded', detail: 'DHT holds a newer packet', newer: current };
    };
    if (Publisher.mayHaveArrived(entry)) {
      const held = await holdsIt();
      if (held) return held;
    }
    let nodes: number;
    try {
      ({ nodes } = await dht.put(packet));
    } catch (error) {
      // Nodes refuse a put whose seq is not above what they hold (BEP44 error 302): on a
      // republish that means they already have it, which a get confirms.
      const held = await holdsIt();
      if (held) return held;
      throw error;
    }
    if (nodes > 0) return { kind: 'done', detail: `stored on ${nodes} DHT nodes` };
    return { kind: 'retry', detail: 'no DHT node stored it' };
  }
}
