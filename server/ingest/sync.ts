// Packet sync for the app's outbox: signed packets go in, each verified, never older than what
// is stored, idempotent by the client's id. A stored packet also becomes the relay's copy, so this
// server serves it at /relay and forwards it upstream.
//
// Signatures are checked as one batch, on worker threads when the server runs a pool of them.
// A batch is written set-based (docs/performance.md: one multi-row statement is an order of magnitude
// faster than a row at a time, and the score/notify triggers are per statement): decode in
// memory; lock the batch's domains in id order (so concurrent uploads take turns and never
// deadlock) while the signatures are checked; claim the receipts and read what is stored; then
// one upsert per table.
import type pg from 'pg';
import {
  decodeRelayPayload,
  minRecordTtl,
  parsePublicKey,
  PkarrError,
  recordsToJson,
  z32Encode,
  type Ed25519Verifier,
} from '../../src-shared/pkarr';
import {
  inlineBatchVerifier,
  type BatchVerifier,
  type SignatureCheck,
} from '../crypto/batch-verifier';
import { inTransaction } from '../db/transaction';
import { concatenatedBytes, integerArray, splitList, tokenArray } from './bulk-parameters';

export interface UploadedPacket {
  readonly clientId: string;
  readonly publicKey: string;
  readonly payload: Uint8Array;
}

export type SyncOutcome =
  | {
      readonly clientId: string;
      readonly status: 'stored' | 'duplicate';
      readonly timestamp: number;
    }
  | { readonly clientId: string; readonly status: 'stale'; readonly currentTimestamp: number }
  | { readonly clientId: string; readonly status: 'invalid'; readonly reason: string }
  | { readonly clientId: string; readonly status: 'not_found' };

/**
 * What storing a decoded packet needs, taken from it at once: the decoded records are many small
 * objects, and held for the whole transaction they outlived the server's young-generation
 * collections and were copied and promoted (the largest share of what an upload promoted).
 */
interface Decoded {
  readonly timestamp: number;
  readonly recordsJson: string;
  readonly minTtl: number;
}

interface Verified {
  readonly index: number;
  readonly clientId: string;
  readonly key: string;
  readonly decoded: Decoded;
  readonly payload: Uint8Array;
}

interface Checked {
  readonly index: number;
  readonly upload: UploadedPacket;
  readonly key?: string;
  readonly decoded?: Decoded;
  /** Why the packet was refused before its signature was checked, or what decoding found. */
  readonly reason?: string;
  readonly signature?: SignatureCheck;
}

/**
 * Shape first, in memory: the packet is decoded with a verifier that only records what it was
 * asked to check, and the signatures are checked afterwards as one batch. A packet whose signature
 * fails is INVALID_SIGNATURE even when its DNS would not decode either, as when it is checked first.
 */
function check(upload: UploadedPacket, index: number): Checked {
  let signature: SignatureCheck | undefined;
  const recorder: Ed25519Verifier = {
    verify: (publicKey, message, sig) => {
      signature = { publicKey, message, signature: sig };
      return true;
    },
  };
  try {
    const publicKey = parsePublicKey(upload.publicKey);
    const key = z32Encode(publicKey);
    const packet = decodeRelayPayload(recorder, publicKey, upload.payload);
    const decoded: Decoded = {
      timestamp: packet.timestamp,
      recordsJson: recordsToJson(packet.records),
      minTtl: minRecordTtl(packet),
    };
    return { index, upload, key, decoded, ...(signature && { signature }) };
  } catch (error) {
    const reason = error instanceof PkarrError ? error.code : 'INVALID';
    return { index, upload, reason, ...(signature && { signature }) };
  }
}

/** The decoded uploads whose signatures held, and why each other one was refused. */
function settleSignatures(
  checked: readonly Checked[],
  signed: readonly Checked[],
  valid: readonly boolean[],
): (Verified | { index: number; reason: string })[] {
  const signatureOk = new Map(signed.map((c, i) => [c.index, valid[i] === true]));
  return checked.map((c) => {
    if (c.signature && !signatureOk.get(c.index)) {
      return { index: c.index, reason: 'INVALID_SIGNATURE' };
    }
    if (c.reason !== undefined || !c.decoded || !c.key) {
      return { index: c.index, reason: c.reason ?? 'INVALID' };
    }
    return {
      index: c.index,
      clientId: c.upload.clientId,
      key: c.key,
      decoded: c.decoded,
      payload: c.upload.payload,
    };
  });
}

// Named statements: node-pg prepares each once per connection, so Postgres parses and plans
// them once instead of on every upload (a measurable share of a small batch's time).
const LOCK_DOMAINS = {
  name: 'sync-lock-domains',
  text: `SELECT pd.id, pd.public_key, pd.family_id FROM pubky_domains pd
       JOIN family_members m ON m.family_id = pd.family_id AND m.user_id = $2 AND m.role IN ('owner', 'member')
       WHERE pd.public_key = ANY($1::text[]) ORDER BY pd.id FOR UPDATE OF pd`,
};
// The receipts claimed, and what the locked domains hold now (`id:timestamp,…`). The stored
// timestamps are read here, not with the locks: a statement sees what was committed when it
// began, and the lock statement may have begun before a concurrent upload that it then waited
// for committed. Lists come back as delimited text (see bulk-parameters).
const CLAIM_RECEIPTS = {
  name: 'sync-claim-receipts',
  text: `WITH claimed AS (
           INSERT INTO sync_receipts (client_id, user_id, public_key, packet_timestamp, outcome)
           SELECT unnest($1::uuid[]), $2, unnest($3::text[]), unnest($4::bigint[]), 'stored'
           ON CONFLICT (user_id, client_id) DO NOTHING RETURNING client_id)
         SELECT array_to_string(ARRAY(SELECT client_id FROM claimed), ',') AS claimed,
                string_agg(pubky_domain_id || ':' || packet_timestamp, ',') AS stored
         FROM pkarr_records WHERE pubky_domain_id = ANY($5::uuid[])`,
};
const EARLIER_RECEIPTS = {
  name: 'sync-earlier-receipts',
  text: `SELECT client_id, packet_timestamp FROM sync_receipts
         WHERE user_id = $1 AND client_id = ANY($2::uuid[])`,
};
const MARK_STALE = {
  name: 'sync-mark-stale',
  text: `UPDATE sync_receipts SET outcome = 'stale' WHERE user_id = $1 AND client_id = ANY($2::uuid[])`,
};
// The payloads arrive as one byte string with each one's start and length (bulk-parameters).
const STORE_RELAY_COPIES = {
  name: 'sync-relay-copies',
  text: `INSERT INTO relay_packets (public_key, payload, packet_timestamp, min_ttl)
         SELECT key, substring($2::bytea FROM start FOR length), ts, ttl
         FROM unnest($1::text[], $5::int[], $6::int[], $3::bigint[], $4::int[]) AS u(key, start, length, ts, ttl)
         ON CONFLICT (public_key) DO UPDATE SET payload = excluded.payload,
           packet_timestamp = excluded.packet_timestamp, min_ttl = excluded.min_ttl, stored_at = now()
         WHERE NOT packet_supersedes(relay_packets.packet_timestamp, substring(relay_packets.payload FROM 73),
                                     excluded.packet_timestamp, substring(excluded.payload FROM 73))`,
};
// The same payloads, and every packet's records as one JSON array (element i for packet i).
const STORE_PACKET_ROWS = {
  name: 'sync-packet-rows',
  text: `INSERT INTO pkarr_records (pubky_domain_id, family_id, packet, packet_timestamp, records)
         SELECT id, family, substring($2::bytea FROM start FOR length), ts, $4::jsonb -> (i::int - 1)
         FROM unnest($1::uuid[], $7::uuid[], $5::int[], $6::int[], $3::bigint[])
           WITH ORDINALITY AS u(id, family, start, length, ts, i)
         ON CONFLICT (pubky_domain_id) DO UPDATE SET packet = excluded.packet,
           packet_timestamp = excluded.packet_timestamp, records = excluded.records, stored_at = now()
         WHERE NOT packet_supersedes(pkarr_records.packet_timestamp, substring(pkarr_records.packet FROM 73),
                                     excluded.packet_timestamp, substring(excluded.packet FROM 73))
         RETURNING pubky_domain_id`,
};

export async function syncPackets(
  pool: pg.Pool,
  userId: string,
  packets: readonly UploadedPacket[],
  verifier: BatchVerifier = inlineBatchVerifier,
): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = new Array(packets.length);
  const checked = packets.map(check);
  const signed = checked.filter((c) => c.signature);
  // The signatures are checked (on worker threads) while the transaction opens and the domains
  // are locked: the lock needs only the keys, which decoding gave. Nothing is written before
  // every signature is known.
  const signaturesChecked = verifier.verifyAll(signed.map((c) => c.signature!));
  // Awaited below; should the transaction fail first, its failure is the one reported.
  signaturesChecked.catch(() => undefined);
  const decodedKeys = [...new Set(checked.flatMap((c) => (c.decoded && c.key ? [c.key] : [])))];
  const verified: Verified[] = [];
  const sortOut = (valid: readonly boolean[]) => {
    for (const result of settleSignatures(checked, signed, valid)) {
      if ('decoded' in result) verified.push(result);
      else {
        const clientId = packets[result.index]!.clientId;
        outcomes[result.index] = { clientId, status: 'invalid', reason: result.reason };
      }
    }
  };
  if (!decodedKeys.length) {
    sortOut(await signaturesChecked);
    return outcomes;
  }

  return inTransaction(pool, async (client) => {
    // The caller's domains among the batch's keys (as owner or member), locked in id order.
    const [valid, { rows: domains }] = await Promise.all([
      signaturesChecked,
      client.query<{ id: string; public_key: string; family_id: string }>({
        ...LOCK_DOMAINS,
        values: [tokenArray(decodedKeys), userId],
      }),
    ]);
    sortOut(valid);
    if (!verified.length) return outcomes;
    const domainOf = new Map(domains.map((d) => [d.public_key, d]));

    // Receipts are claimed first: a concurrent upload of the same client id waits on the
    // receipt's key and then finds it taken, so each packet is stored exactly once.
    const found = verified.filter((v) => domainOf.has(v.key));
    for (const v of verified) {
      if (!domainOf.has(v.key)) outcomes[v.index] = { clientId: v.clientId, status: 'not_found' };
    }
    const firstOfId = new Map<string, Verified>();
    for (const v of found) if (!firstOfId.has(v.clientId)) firstOfId.set(v.clientId, v);
    const claimable = [...firstOfId.values()];
    const {
      rows: [claim],
    } = await client.query<{ claimed: string | null; stored: string | null }>({
      ...CLAIM_RECEIPTS,
      values: [
        tokenArray(claimable.map((v) => v.clientId)),
        userId,
        tokenArray(claimable.map((v) => v.key)),
        integerArray(claimable.map((v) => v.decoded.timestamp)),
        tokenArray(domains.map((d) => d.id)),
      ],
    });
    const storedNow = new Map(
      splitList(claim!.stored).map((pair) => {
        const colon = pair.indexOf(':');
        return [pair.slice(0, colon), Number(pair.slice(colon + 1))] as const;
      }),
    );
    const mine = new Set(splitList(claim!.claimed));
    const duplicates = found.filter(
      (v) => !mine.has(v.clientId) || firstOfId.get(v.clientId) !== v,
    );
    if (duplicates.length) {
      const { rows } = await client.query<{ client_id: string; packet_timestamp: string }>({
        ...EARLIER_RECEIPTS,
        values: [userId, tokenArray(duplicates.map((v) => v.clientId))],
      });
      const earlier = new Map(rows.map((r) => [r.client_id, Number(r.packet_timestamp)]));
      for (const v of duplicates)
        outcomes[v.index] = {
          clientId: v.clientId,
          status: 'duplicate',
          timestamp: earlier.get(v.clientId) ?? v.decoded.timestamp,
        };
    }

    // In upload order, as if one at a time: older than what is (by then) stored is stale.
    const current = new Map<string, number | undefined>(
      domains.map((d) => [d.public_key, storedNow.get(d.id)]),
    );
    const winners = new Map<string, Verified>();
    const stale: Verified[] = [];
    for (const v of found) {
      if (outcomes[v.index]) continue;
      const now = current.get(v.key);
      const batchWinner = winners.get(v.key);
      // Within the batch, too: on equal timestamps the larger DNS bytes win (docs/protocol.md).
      const losesTie =
        batchWinner !== undefined &&
        now === v.decoded.timestamp &&
        Buffer.compare(batchWinner.payload.subarray(72), v.payload.subarray(72)) > 0;
      if ((now !== undefined && now > v.decoded.timestamp) || losesTie) {
        outcomes[v.index] = { clientId: v.clientId, status: 'stale', currentTimestamp: now };
        stale.push(v);
        continue;
      }
      current.set(v.key, v.decoded.timestamp);
      winners.set(v.key, v);
      outcomes[v.index] = {
        clientId: v.clientId,
        status: 'stored',
        timestamp: v.decoded.timestamp,
      };
    }
    if (stale.length) {
      await client.query({
        ...MARK_STALE,
        values: [userId, tokenArray(stale.map((v) => v.clientId))],
      });
    }
    const stored = [...winners.values()];
    if (stored.length) {
      const payloads = concatenatedBytes(stored.map((v) => v.payload));
      const timestamps = integerArray(stored.map((v) => v.decoded.timestamp));
      await client.query({
        ...STORE_RELAY_COPIES,
        values: [
          tokenArray(stored.map((v) => v.key)),
          payloads.bytes,
          timestamps,
          integerArray(stored.map((v) => v.decoded.minTtl)),
          payloads.starts,
          payloads.lengths,
        ],
      });
      // Last before COMMIT: its feed trigger takes the feed's commit-order lock (feed_append),
      // which every writer of events waits for, so it is held for as short a time as possible.
      const { rows: written } = await client.query<{ pubky_domain_id: string }>({
        ...STORE_PACKET_ROWS,
        values: [
          tokenArray(stored.map((v) => domainOf.get(v.key)!.id)),
          payloads.bytes,
          timestamps,
          `[${stored.map((v) => v.decoded.recordsJson).join(',')}]`,
          payloads.starts,
          payloads.lengths,
          tokenArray(stored.map((v) => domainOf.get(v.key)!.family_id)),
        ],
      });
      // A packet whose timestamp equals the stored one's but whose bytes are smaller lost the
      // tie (packet_supersedes()): it is stale, like an older one.
      if (written.length < stored.length) {
        const won = new Set(written.map((row) => row.pubky_domain_id));
        const lost = stored.filter((v) => !won.has(domainOf.get(v.key)!.id));
        for (const v of lost)
          outcomes[v.index] = {
            clientId: v.clientId,
            status: 'stale',
            currentTimestamp: v.decoded.timestamp,
          };
        await client.query({
          ...MARK_STALE,
          values: [userId, tokenArray(lost.map((v) => v.clientId))],
        });
      }
    }
    return outcomes;
  });
}

/** Receipts older than an app could still retry are dropped; returns how many. */
export const SYNC_RECEIPT_DAYS = 30;

export async function pruneSyncReceipts(pool: pg.Pool, days = SYNC_RECEIPT_DAYS): Promise<number> {
  const { rowCount } = await pool.query(
    'DELETE FROM sync_receipts WHERE created_at < now() - make_interval(days => $1)',
    [days],
  );
  return rowCount ?? 0;
}
