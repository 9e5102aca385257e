// The family's devices in step through their companion server (issue 20):
// - out: every packet this device signs while signed in is uploaded to `POST /sync/packets`, one
//   more outbox target beside relays and the DHT (the server forwards it upstream and tells the
//   family's other devices);
// - in: when the feed says a domain this device holds got a new packet, main fetches the signed
//   packet from the server's relay and checks its signature before anything changes here (the
//   server's word is not enough: it cannot sign); the drafts follow it, or, with edits waiting,
//   it is kept beside them for the person to settle;
// - what happened is kept as the family's activity, once per feed position.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ActivityEntry } from '../src-shared/ipc';
import type { FeedEvent } from '../src-shared/feed-messages';
import {
  compareFreshness,
  dnsRecordSchema,
  encodeRelayPayload,
  parsePublicKey,
  recordFromJson,
  z32Encode,
  type DnsRecord,
  type SignedPacket,
} from '../src-shared/pkarr';
import { COMPANION_TARGET } from '../src-shared/publish/targets';
import { migrationStatuses } from '../src-shared/migration/states';
import type { RelayClient } from '../src-shared/publish/relay-client';
import type { FamilyClient } from './family-client';
import type { MainEvents } from './events';
import type { CompanionTarget, Delivery, Publisher } from './publish/publisher';
import { AppError } from './errors';
import { serverRequest } from './server-request';
import type { ServerSession } from './server-session';
import type { LocalStore } from './store/local-store';

/** A packet's upload id: the same packet always gets the same one, so a resend is a duplicate. */
export function uploadId(domain: string, timestamp: number): string {
  const hex = createHash('sha256').update(`${domain}:${timestamp}`).digest('hex');
  // An RFC 9562 version 8 (custom) UUID.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const outcome = z.discriminatedUnion('status', [
  z.object({ clientId: z.string(), status: z.enum(['stored', 'duplicate']) }),
  z.object({ clientId: z.string(), status: z.literal('stale') }),
  z.object({ clientId: z.string(), status: z.literal('invalid'), reason: z.string().max(200) }),
  z.object({ clientId: z.string(), status: z.literal('not_found') }),
]);
const syncAnswer = z.object({ results: z.array(outcome).length(1) });

/** The companion server as an outbox target. */
export class CompanionUploader implements CompanionTarget {
  constructor(
    private readonly deps: {
      readonly server: () => string;
      readonly session: ServerSession;
      readonly relayClient: RelayClient;
    },
  ) {}

  enabled(): boolean {
    return this.deps.session.view().state === 'signed-in';
  }

  /** The server's relay (it keeps each family domain's newest packet). */
  relayOf(): string {
    return new URL('relay', new URL(this.deps.server()).origin + '/').href;
  }

  async deliver(packet: SignedPacket): Promise<Delivery> {
    if (!this.enabled()) return { kind: 'retry', detail: 'not signed in to the companion server' };
    const domain = z32Encode(packet.publicKey);
    let answer: { status: number; body: unknown };
    try {
      answer = await serverRequest(this.deps.server(), 'POST', '/sync/packets', {
        token: await this.deps.session.accessToken(),
        body: {
          packets: [
            {
              clientId: uploadId(domain, packet.timestamp),
              publicKey: domain,
              payload: Buffer.from(encodeRelayPayload(packet)).toString('base64'),
            },
          ],
        },
        unreachable: 'the companion server does not answer',
      });
    } catch (error) {
      return {
        kind: 'retry',
        detail: error instanceof AppError ? error.message : `could not ask: ${String(error)}`,
      };
    }
    if (answer.status === 401) return { kind: 'retry', detail: 'signed out at the server' };
    if (answer.status === 429 || answer.status >= 500)
      return { kind: 'retry', status: answer.status, detail: `HTTP ${answer.status}` };
    const parsed = syncAnswer.safeParse(answer.body);
    if (answer.status !== 200 || !parsed.success)
      return { kind: 'retry', status: answer.status, detail: 'unexpected answer from the server' };
    const result = parsed.data.results[0]!;
    switch (result.status) {
      case 'stored':
        return { kind: 'done', status: 200, detail: 'stored for the family' };
      case 'duplicate':
        return { kind: 'done', status: 200, detail: 'the server already holds it' };
      case 'not_found':
        // A key of this device that is no domain of the person's families: nothing to share.
        return { kind: 'done', status: 200, detail: 'not a family domain' };
      case 'invalid':
        return { kind: 'superseded', status: 200, detail: `refused: ${result.reason}` };
      case 'stale': {
        const current = await this.deps.relayClient
          .get(this.relayOf(), packet.publicKey)
          .catch(() => undefined);
        const newer =
          current?.kind === 'found' && compareFreshness(current.packet, packet) > 0
            ? current.packet
            : undefined;
        return {
          kind: 'superseded',
          status: 200,
          detail: 'the family has a newer packet',
          ...(newer ? { newer } : {}),
        };
      }
    }
  }
}

const recordEventData = z.object({
  pubkyDomainId: z.string().uuid(),
  packetTimestamp: z.coerce.number().int().nonnegative(),
  records: z.array(z.unknown()).max(200).optional(),
});
const scoreEventData = z.object({
  domainRecordId: z.string().uuid(),
  score: z.number().int().min(0).max(100),
});
const migrationEventData = z.object({
  domainRecordId: z.string().uuid(),
  status: z.enum(migrationStatuses),
});
const opOf = (data: Readonly<Record<string, unknown>>) =>
  typeof data['op'] === 'string' ? data['op'].slice(0, 40) : '';

/** Records as the server's event reported them, each checked; anything odd and none are kept. */
function reportedRecords(raw: readonly unknown[] | undefined): DnsRecord[] | null {
  if (!raw) return null;
  const records: DnsRecord[] = [];
  for (const item of raw) {
    try {
      const parsed = dnsRecordSchema.safeParse(recordFromJson(JSON.stringify(item)));
      if (!parsed.success) return null;
      records.push(parsed.data);
    } catch {
      return null;
    }
  }
  return records;
}

export class FamilySync {
  /** A family's Pubky domain ids → their keys (the feed names domains by id). */
  private readonly keyOf = new Map<string, string>();
  private readonly domainIdOf = new Map<string, string>();
  private readonly learnedAt = new Map<string, number>();
  /** One pull at a time per domain, in the order the feed told of them. */
  private readonly pulls = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: {
      readonly families: FamilyClient;
      readonly uploader: CompanionUploader;
      readonly publisher: Publisher;
      readonly relayClient: RelayClient;
      readonly store: LocalStore;
      readonly events: MainEvents;
      readonly log: (line: string) => void;
      readonly now?: () => number;
    },
  ) {}

  private async learnDomains(familyId: string): Promise<void> {
    this.learnedAt.set(familyId, (this.deps.now ?? Date.now)());
    for (const domain of await this.deps.families.domains(familyId)) {
      if (domain.pubkyDomainId && domain.publicKey) {
        this.keyOf.set(domain.pubkyDomainId, domain.publicKey);
        this.domainIdOf.set(domain.publicKey, domain.id);
      }
    }
  }

  /** A feed event: kept as activity, and a packet for a domain held here is pulled. */
  async handle(event: FeedEvent): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    const base = {
      seq: event.seq,
      familyId: event.familyId,
      kind: event.type,
      op: opOf(event.data),
      at: now,
    };
    let entry: ActivityEntry = {
      ...base,
      domain: null,
      records: null,
      packetTimestamp: null,
      score: null,
    };
    if (event.type === 'pkarr_record_event') {
      const data = recordEventData.safeParse(event.data);
      if (!data.success) return;
      if (!this.keyOf.has(data.data.pubkyDomainId)) await this.learnDomains(event.familyId);
      const key = this.keyOf.get(data.data.pubkyDomainId) ?? null;
      entry = {
        ...entry,
        domain: key,
        records: reportedRecords(data.data.records),
        packetTimestamp: data.data.packetTimestamp,
      };
      if (key && this.holds(key)) await this.pull(key);
    } else if (event.type === 'sovereignty_score_event') {
      const data = scoreEventData.safeParse(event.data);
      if (!data.success) return;
      entry = {
        ...entry,
        score: data.data.score,
        domain: await this.domainOfRecord(event.familyId, data.data.domainRecordId, now),
      };
    } else if (event.type === 'domain_migration_event') {
      const data = migrationEventData.safeParse(event.data);
      if (!data.success) return;
      // The migration's state is what the family reads: "verifying", "completed" …
      entry = {
        ...entry,
        op: data.data.status,
        domain: await this.domainOfRecord(event.familyId, data.data.domainRecordId, now),
      };
    } else if (event.type === 'pubky_domain_event') {
      const key = z.object({ publicKey: z.string().max(60) }).safeParse(event.data);
      entry = { ...entry, domain: key.success ? key.data.publicKey : null };
    }
    this.deps.store.addActivity(entry);
  }

  /**
   * The key of a family domain by its record id, for the words on the activity list; the
   * family's list is asked again at most every few seconds.
   */
  private async domainOfRecord(
    familyId: string,
    domainRecordId: string,
    now: number,
  ): Promise<string | null> {
    const learned = this.learnedAt.get(familyId) ?? -Infinity;
    if (!this.keyOfRecord(domainRecordId) && now - learned > 5000)
      await this.learnDomains(familyId);
    return this.keyOfRecord(domainRecordId) ?? null;
  }

  private keyOfRecord(domainRecordId: string): string | undefined {
    for (const [key, id] of this.domainIdOf) if (id === domainRecordId) return key;
    return undefined;
  }

  private holds(key: string): boolean {
    return this.deps.store.listDomains().some((d) => d.publicKey === key);
  }

  /** The family's newest packet for `key`, from the server's relay, signature checked. */
  pull(key: string): Promise<void> {
    const previous = this.pulls.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      const found = await this.deps.relayClient.get(
        this.deps.uploader.relayOf(),
        parsePublicKey(key),
      );
      if (found.kind !== 'found') return;
      const result = this.deps.publisher.receive(found.packet, COMPANION_TARGET);
      if (result !== 'known') this.deps.events.emit('domains:changed', { domains: [key] });
    });
    const owned = next.catch((error: unknown) =>
      this.deps.log(`could not fetch ${key} from the companion server: ${String(error)}`),
    );
    this.pulls.set(key, owned);
    void owned.finally(() => {
      if (this.pulls.get(key) === owned) this.pulls.delete(key);
    });
    return owned;
  }

  /**
   * The family's newest packet for `key` as its server holds it (signature checked), when this
   * device is signed in; undefined when there is none or the server does not answer in time.
   */
  async newest(key: string, timeoutMs: number): Promise<SignedPacket | undefined> {
    if (!this.deps.uploader.enabled()) return undefined;
    const ask = this.deps.relayClient
      .get(this.deps.uploader.relayOf(), parsePublicKey(key))
      .then((found) => (found.kind === 'found' ? found.packet : undefined))
      .catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    return Promise.race([ask, late]).finally(() => clearTimeout(timer));
  }

  /** This person lost access to a family: its activity goes; keys and their domains stay. */
  forget(familyId: string): void {
    this.deps.store.dropFamily(familyId);
  }
}
