// Publishes what this server stores on to the operator's upstream relays and the DHT, from the
// upstream_forwards outbox (docs/schema.md). A claim is a lease (next_attempt_at moves ahead), so
// a process that dies mid-publish leaves the row to be retried by any process after the lease,
// and SKIP LOCKED keeps two processes from claiming the same row.
import { assertNever } from '../../src-shared/assert-never';
import type pg from 'pg';
import {
  compareFreshness,
  decodeRelayPayload,
  encodeRelayPayload,
  minRecordTtl,
  parsePublicKey,
  type SignedPacket,
} from '../../src-shared/pkarr';
import type { DhtClient } from '../../src-shared/publish/dht-client';
import type { PutOutcome, RelayClient } from '../../src-shared/publish/relay-client';
import { nativeVerifier } from '../../src-node/native-ed25519';
import { DHT_TARGET, retryDelayMs } from '../../src-node/retry';
import { inTransaction } from '../db/transaction';

export interface UpstreamForwarderOptions {
  readonly pool: pg.Pool;
  readonly relayClient: RelayClient;
  /** Absent when the operator has not bridged this server to the DHT. */
  readonly dht?: DhtClient | undefined;
  /** How many rows one pass claims. */
  readonly batchSize?: number;
  readonly pollMs?: number;
  /** How long a claim holds before another process may retry it. */
  readonly leaseSeconds?: number;
  /** Confirmed packets of the families' domains are published again after this long. */
  readonly republishSeconds?: number;
  readonly log?: (fields: Record<string, unknown>, message: string) => void;
}

interface ClaimedRow {
  public_key: string;
  target: string;
  packet_timestamp: string;
  attempts: number;
  payload: Buffer;
}

type Outcome =
  | { readonly state: 'confirmed' | 'rejected'; readonly detail?: string }
  /** The target holds a newer packet (another of the family's devices published it). */
  | { readonly state: 'superseded'; readonly detail: string; readonly newer?: SignedPacket }
  | { readonly state: 'retry'; readonly detail: string; readonly afterMs?: number };

/** Writes the configured targets (the cluster's list): new ones are backfilled by a trigger. */
export async function setUpstreamTargets(
  pool: pg.Pool,
  relays: readonly string[],
  dht: boolean,
): Promise<void> {
  const targets = [...new Set(relays.map((relay) => relay.replace(/\/+$/, '')))];
  if (dht) targets.push(DHT_TARGET);
  await inTransaction(pool, async (client) => {
    await client.query('LOCK TABLE upstream_targets IN SHARE ROW EXCLUSIVE MODE');
    await client.query('DELETE FROM upstream_targets WHERE NOT (target = ANY($1::text[]))', [
      targets,
    ]);
    await client.query(
      'INSERT INTO upstream_targets (target) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING',
      [targets],
    );
  });
}

export class UpstreamForwarder {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private republishTimer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly options: UpstreamForwarderOptions) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      try {
        const done = await this.runOnce();
        this.timer = setTimeout(tick, done > 0 ? 0 : (this.options.pollMs ?? 500));
      } catch (error) {
        this.options.log?.({ message: (error as Error).message }, 'upstream pass failed');
        this.timer = setTimeout(tick, 5000);
      }
    };
    this.timer = setTimeout(tick, 0);
    // Republishing is part of forwarding: the DHT forgets within hours.
    this.republishTimer = setInterval(() => {
      this.markRepublishDue().catch((error: Error) =>
        this.options.log?.({ message: error.message }, 'republish pass failed'),
      );
    }, 10 * 60_000);
    this.republishTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.republishTimer) clearInterval(this.republishTimer);
    await this.running?.catch(() => undefined);
  }

  /** One pass: claims due rows, publishes them, records each outcome. Returns rows handled. */
  runOnce(): Promise<number> {
    this.running = this.pass();
    return this.running;
  }

  /** Marks confirmed packets of registered domains due again (the DHT forgets within hours). */
  async markRepublishDue(): Promise<number> {
    const { rowCount } = await this.options.pool.query(
      `UPDATE upstream_forwards f SET state = 'pending', attempts = 0, next_attempt_at = now()
       WHERE f.state = 'confirmed' AND f.confirmed_at < now() - make_interval(secs => $1)
         AND EXISTS (SELECT 1 FROM pubky_domains d WHERE d.public_key = f.public_key)`,
      [this.options.republishSeconds ?? 3600],
    );
    return rowCount ?? 0;
  }

  private async pass(): Promise<number> {
    const { pool } = this.options;
    const { rows } = await pool.query<ClaimedRow>(
      `UPDATE upstream_forwards f
       SET attempts = f.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
       FROM (SELECT public_key, target FROM upstream_forwards
             WHERE state = 'pending' AND next_attempt_at <= now() AND (target <> 'dht' OR $3)
             ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due, relay_packets r
       WHERE f.public_key = due.public_key AND f.target = due.target AND r.public_key = f.public_key
       RETURNING f.public_key, f.target, f.packet_timestamp, f.attempts, r.payload`,
      [
        this.options.batchSize ?? 50,
        this.options.leaseSeconds ?? 120,
        this.options.dht !== undefined,
      ],
    );
    await Promise.all(rows.map((row) => this.forward(row)));
    return rows.length;
  }

  private async forward(row: ClaimedRow): Promise<void> {
    let outcome: Outcome;
    let packet: SignedPacket | undefined;
    try {
      packet = decodeRelayPayload(
        nativeVerifier,
        parsePublicKey(row.public_key),
        new Uint8Array(row.payload),
        { maxFutureMicros: Number.MAX_SAFE_INTEGER },
      );
      outcome =
        row.target === DHT_TARGET
          ? await this.toDht(packet)
          : fromRelay(await this.options.relayClient.put(row.target, packet));
    } catch (error) {
      outcome = { state: 'retry', detail: (error as Error).message };
    }
    if (outcome.state === 'retry' && packet) outcome = await this.askTarget(row, packet, outcome);
    await this.record(row, outcome);
  }

  private async toDht(packet: SignedPacket): Promise<Outcome> {
    // Only processes with a DHT node claim DHT rows (see pass()).
    const { nodes } = await this.options.dht!.put(packet);
    return nodes > 0
      ? { state: 'confirmed' }
      : { state: 'retry', detail: 'no DHT node accepted the packet' };
  }

  /**
   * A failed put may mean the target has it already: bittorrent-dht nodes refuse an equal
   * sequence number (error 302) and the pkarr npm relay then answers 500, so a republish of an
   * unchanged packet fails there. Whatever the target holds settles it.
   */
  private async askTarget(
    row: ClaimedRow,
    packet: SignedPacket,
    failed: Outcome,
  ): Promise<Outcome> {
    let held: SignedPacket | undefined;
    try {
      if (row.target === DHT_TARGET) {
        held = await this.options.dht!.get(packet.publicKey);
      } else {
        const got = await this.options.relayClient.get(row.target, packet.publicKey);
        held = got.kind === 'found' ? got.packet : undefined;
      }
    } catch {
      return failed;
    }
    if (!held) return failed;
    const order = compareFreshness(held, packet);
    if (order === 0) return { state: 'confirmed' };
    return order > 0
      ? { state: 'superseded', detail: 'the target holds a newer packet', newer: held }
      : failed;
  }

  private async record(row: ClaimedRow, outcome: Outcome): Promise<void> {
    const { pool } = this.options;
    const key = [row.public_key, row.target, row.packet_timestamp];
    // Every update is guarded by the timestamp: a newer packet stored meanwhile has reset the
    // row to pending, and this outcome is about the old one.
    if (outcome.state === 'retry') {
      const afterMs = outcome.afterMs ?? retryDelayMs(row.attempts, 1000);
      await pool.query(
        `UPDATE upstream_forwards SET next_attempt_at = now() + make_interval(secs => $4), last_error = $5
         WHERE public_key = $1 AND target = $2 AND packet_timestamp = $3 AND state = 'pending'`,
        [...key, afterMs / 1000, outcome.detail],
      );
      this.options.log?.(
        { target: row.target, attempts: row.attempts, detail: outcome.detail },
        'upstream publish will be retried',
      );
      return;
    }
    await inTransaction(pool, async (client) => {
      const { rowCount } = await client.query(
        `UPDATE upstream_forwards SET state = $4, last_error = $5,
             confirmed_at = CASE WHEN $4 = 'confirmed' THEN now() ELSE confirmed_at END
           WHERE public_key = $1 AND target = $2 AND packet_timestamp = $3 AND state = 'pending'`,
        [...key, outcome.state, outcome.detail ?? null],
      );
      if (rowCount && outcome.state === 'superseded' && outcome.newer) {
        // Adopt it: a verified, newer packet for this key becomes the relay's copy, and the
        // trigger on relay_packets sends it on to every target (this one confirms it next pass).
        const newer = outcome.newer;
        // relay_put() applies the relay's own freshness order and per-key lock.
        await client.query('SELECT relay_put($1, $2, $3, $4, NULL)', [
          row.public_key,
          Buffer.from(encodeRelayPayload(newer)),
          newer.timestamp,
          minRecordTtl(newer),
        ]);
      }
      if (rowCount && outcome.state === 'confirmed') {
        // Evidence for the score: this domain's packet is out on that target.
        await client.query(
          `INSERT INTO pkarr_publications (pubky_domain_id, target, confirmed_timestamp)
             SELECT id, $2, $3 FROM pubky_domains WHERE public_key = $1
             ON CONFLICT (pubky_domain_id, target) DO UPDATE
               SET confirmed_timestamp = excluded.confirmed_timestamp, confirmed_at = now()`,
          key,
        );
      }
    });
  }
}

function fromRelay(outcome: PutOutcome): Outcome {
  switch (outcome.kind) {
    case 'published':
      return { state: 'confirmed' };
    case 'stale':
      return {
        state: 'superseded',
        detail: 'the relay holds a newer packet',
        ...(outcome.newer ? { newer: outcome.newer } : {}),
      };
    case 'rejected':
      return { state: 'rejected', detail: outcome.detail };
    case 'retry':
      return {
        state: 'retry',
        detail: outcome.detail,
        ...(outcome.retryAfterMs === undefined ? {} : { afterMs: outcome.retryAfterMs }),
      };
    default:
      assertNever(outcome);
  }
}
