// One LISTEN connection per server process: events from feed_events, in seq order, exactly
// once. When Postgres goes away it reconnects and backfills from the log what it missed.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { FeedEventKind } from '../../src-shared/feed-messages';

export interface StoredEvent {
  readonly seq: number;
  readonly familyId: string;
  readonly kind: FeedEventKind;
  readonly entity: Readonly<Record<string, unknown>>;
  readonly data: Readonly<Record<string, unknown>>;
}

interface Row {
  seq: string;
  family_id: string;
  kind: FeedEventKind;
  entity: Record<string, unknown> | null;
  data: Record<string, unknown> | null;
  packets: PacketBatch | null;
  scores: ScoreBatch | null;
}

/**
 * A statement's packet events, stored as one row (docs/performance.md): event i at index i. The
 * domains' record ids and keys are read from the domains (or their tombstones).
 */
interface PacketBatch {
  op: string;
  pubkyDomainIds: string[];
  domainRecordIds: string[];
  publicKeys: string[];
  packetTimestamps: number[];
  records: unknown[];
  storedAts: string[];
}

/** A statement's score events, stored as one row: event i at index i. */
interface ScoreBatch {
  domainRecordIds: string[];
  pubkyDomainIds: (string | null)[];
  publicKeys: (string | null)[];
  scores: number[];
  computedAts: string[];
}

const SELECT_EVENTS = `SELECT seq, family_id, kind, entity, data,
    CASE WHEN last_seq IS NOT NULL AND kind = 'pkarr_record_event' THEN jsonb_build_object(
      'op', packet_op, 'pubkyDomainIds', to_jsonb(pubky_domain_ids),
      'packetTimestamps', to_jsonb(packet_timestamps), 'records', to_jsonb(packet_records),
      'storedAts', to_jsonb(stored_ats)) || CASE WHEN public_keys IS NULL
        -- The row keeps only the domains' ids.
        THEN packet_batch_identities(pubky_domain_ids)
        ELSE jsonb_build_object('domainRecordIds', to_jsonb(domain_record_ids), 'publicKeys', to_jsonb(public_keys))
      END END AS packets,
    CASE WHEN last_seq IS NOT NULL AND kind = 'sovereignty_score_event' THEN jsonb_build_object(
      'domainRecordIds', to_jsonb(domain_record_ids), 'pubkyDomainIds', to_jsonb(pubky_domain_ids),
      'publicKeys', to_jsonb(public_keys), 'scores', to_jsonb(scores),
      'computedAts', to_jsonb(computed_ats)) END AS scores
  FROM feed_events`;

/** Entity and data of event i of a batch row, as a one-row statement would have stored them. */
function batchEvent(row: Row, i: number): Pick<StoredEvent, 'entity' | 'data'> {
  const packets = row.packets;
  if (packets) {
    const pubkyDomainId = packets.pubkyDomainIds[i];
    return {
      entity: {
        pubkyDomainId,
        domainRecordId: packets.domainRecordIds[i],
        publicKey: packets.publicKeys[i],
      },
      data: {
        op: packets.op,
        pubkyDomainId,
        packetTimestamp: packets.packetTimestamps[i],
        records: packets.records[i],
        storedAt: packets.storedAts[i],
      },
    };
  }
  const scores = row.scores!;
  const domainRecordId = scores.domainRecordIds[i];
  return {
    entity: {
      domainRecordId,
      pubkyDomainId: scores.pubkyDomainIds[i],
      publicKey: scores.publicKeys[i],
    },
    data: { domainRecordId, score: scores.scores[i], computedAt: scores.computedAts[i] },
  };
}

/** The events a row holds after `after`: one, or a batch's, each as a one-row event. */
function eventsOf(row: Row, after: number): StoredEvent[] {
  const first = Number(row.seq);
  const size = row.packets?.pubkyDomainIds.length ?? row.scores?.domainRecordIds.length;
  if (size === undefined) {
    return first > after
      ? [
          {
            seq: first,
            familyId: row.family_id,
            kind: row.kind,
            entity: row.entity!,
            data: row.data!,
          },
        ]
      : [];
  }
  const events: StoredEvent[] = [];
  for (let i = Math.max(0, after - first + 1); i < size; i++) {
    events.push({ seq: first + i, familyId: row.family_id, kind: row.kind, ...batchEvent(row, i) });
  }
  return events;
}

export class FeedEventSource extends EventEmitter<{ event: [StoredEvent] }> {
  private client: pg.Client | undefined;
  private lastSeq = 0;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly pool: pg.Pool,
  ) {
    super();
  }

  /** Starts from the newest event: earlier ones are served by readSince(). */
  async start(): Promise<void> {
    const { rows } = await this.pool.query<{ seq: string | null }>(
      'SELECT max(coalesce(last_seq, seq)) AS seq FROM feed_events',
    );
    this.lastSeq = Number(rows[0]?.seq ?? 0);
    await this.connect();
  }

  get position(): number {
    return this.lastSeq;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    // Only the live connection's loss matters; a failed attempt is retried by scheduleReconnect.
    const lost = () => {
      if (this.client === client) this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    // Notifications are handled one after another, and only once the backfill is delivered:
    // delivering a newer one first would make the backfilled older ones look already sent.
    let release!: () => void;
    let chain = new Promise<void>((resolve) => (release = resolve));
    client.on('notification', (message) => {
      if (message.channel !== 'feed_events' || !message.payload) return;
      const event = JSON.parse(message.payload) as StoredEvent & { compact?: boolean };
      chain = chain
        .then(async () => {
          // A large event, or a statement's packet events, came without data (NOTIFY's
          // 8000-byte limit): read the row that starts at its seq.
          this.deliver(event.compact ? await this.readSince(event.seq - 1, undefined, 1) : [event]);
        })
        // Could not read it: reconnecting backfills from the last delivered seq.
        .catch(() => {
          if (this.client === client) this.scheduleReconnect();
        });
    });
    try {
      await client.connect();
      await client.query('LISTEN feed_events');
    } catch (error) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw error;
    }
    // Listening first, then reading: anything committed in between arrives twice at most,
    // and deliver() drops what it has already passed on.
    const backfilled: StoredEvent[] = [];
    try {
      // Every page: what was missed may be more than one page holds.
      for (let page = await this.readSince(this.lastSeq); page.length;) {
        backfilled.push(...page);
        page = await this.readSince(page.at(-1)!.seq);
      }
    } catch (error) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.deliver(backfilled);
    release();
  }

  private deliver(events: readonly StoredEvent[]): void {
    for (const event of events) {
      if (event.seq <= this.lastSeq) continue;
      this.lastSeq = event.seq;
      this.emit('event', event);
    }
  }

  /**
   * Events after `seq`, oldest first (for resuming clients and for backfill), from at most
   * `limit` rows of the log; an empty answer means there is nothing after `seq`. A `seq` inside
   * a packet batch row yields that row's later events first.
   */
  async readSince(
    seq: number,
    familyIds?: readonly string[],
    limit = 1_000,
  ): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<Row>(
      `WITH containing AS (SELECT seq, last_seq FROM feed_events WHERE seq <= $1 ORDER BY seq DESC LIMIT 1)
       ${SELECT_EVENTS}
       WHERE seq >= coalesce((SELECT seq FROM containing WHERE last_seq > $1), $1 + 1)
         AND ($2::uuid[] IS NULL OR family_id = ANY ($2)) ORDER BY seq LIMIT $3`,
      [seq, familyIds ?? null, limit],
    );
    return rows.flatMap((row) => eventsOf(row, seq));
  }

  /** The smallest seq still in the log (older ones fell out of the retention window). */
  async oldestRetained(): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string | null }>(
      'SELECT min(seq) AS seq FROM feed_events',
    );
    return Number(rows[0]?.seq ?? this.lastSeq + 1);
  }

  /** Drops events older than the retention window; resuming clients further back must reload. */
  async prune(retentionDays: number): Promise<number> {
    // A domain's tombstone goes with the same window: every event naming it is older.
    const { rowCount } = await this.pool.query(
      `WITH tombstones AS (DELETE FROM pubky_domain_tombstones
                           WHERE deleted_at < now() - make_interval(days => $1))
       DELETE FROM feed_events WHERE created_at < now() - make_interval(days => $1)`,
      [retentionDays],
    );
    return rowCount ?? 0;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const old = this.client;
    this.client = undefined;
    old?.removeAllListeners();
    void old?.end().catch(() => undefined);
    const attempt = (delay: number) => {
      this.reconnectTimer = setTimeout(() => {
        this.connect().then(
          () => (this.reconnectTimer = undefined),
          () => attempt(Math.min(delay * 2, 2000)),
        );
      }, delay);
    };
    attempt(100);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }
}
