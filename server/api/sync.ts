// Packet sync for the app's outbox: signed packets go in, each verified, never older than what
// is stored (a race between two uploads is settled by a row lock), idempotent by the client's
// id. A stored packet also becomes the relay's copy, so this server serves it at /relay.
import type pg from 'pg';
import { decodeRelayPayload, parsePublicKey, PkarrError, z32Encode } from '../../src-shared/pkarr';
import { serverVerifier } from '../crypto/native-verifier';
import { inTransaction } from '../db/transaction';

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

export async function syncPackets(
  pool: pg.Pool,
  userId: string,
  packets: readonly UploadedPacket[],
): Promise<SyncOutcome[]> {
  return inTransaction(pool, async (client) => {
    const outcomes: SyncOutcome[] = [];
    for (const upload of packets) outcomes.push(await syncOne(client, userId, upload));
    return outcomes;
  });
}

async function syncOne(
  client: pg.PoolClient,
  userId: string,
  upload: UploadedPacket,
): Promise<SyncOutcome> {
  const { clientId } = upload;
  const receipt = await client.query<{ packet_timestamp: string; outcome: string }>(
    'SELECT packet_timestamp, outcome FROM sync_receipts WHERE client_id = $1 AND user_id = $2',
    [clientId, userId],
  );
  if (receipt.rows[0]) {
    return { clientId, status: 'duplicate', timestamp: Number(receipt.rows[0].packet_timestamp) };
  }
  let key: string;
  let packet;
  try {
    key = z32Encode(parsePublicKey(upload.publicKey));
    packet = decodeRelayPayload(serverVerifier, parsePublicKey(key), upload.payload);
  } catch (error) {
    return {
      clientId,
      status: 'invalid',
      reason: error instanceof PkarrError ? error.code : 'INVALID',
    };
  }
  // The domain must be one of the caller's families' (as owner or member); the row lock makes
  // two uploads for one domain take turns, so the newer always ends up stored.
  const { rows } = await client.query<{ id: string; packet_timestamp: string | null }>(
    `SELECT pd.id, pr.packet_timestamp FROM pubky_domains pd
     JOIN family_members m ON m.family_id = pd.family_id AND m.user_id = $2 AND m.role IN ('owner', 'member')
     LEFT JOIN pkarr_records pr ON pr.pubky_domain_id = pd.id
     WHERE pd.public_key = $1 FOR UPDATE OF pd`,
    [key, userId],
  );
  const domain = rows[0];
  if (!domain) return { clientId, status: 'not_found' };
  const current = domain.packet_timestamp === null ? undefined : Number(domain.packet_timestamp);
  if (current !== undefined && current > packet.timestamp) {
    await client.query(
      `INSERT INTO sync_receipts (client_id, user_id, public_key, packet_timestamp, outcome) VALUES ($1, $2, $3, $4, 'stale')`,
      [clientId, userId, key, packet.timestamp],
    );
    return { clientId, status: 'stale', currentTimestamp: current };
  }
  const minTtl = packet.records.length ? Math.min(...packet.records.map((r) => r.ttl)) : 300;
  await client.query(
    `INSERT INTO pkarr_records (pubky_domain_id, packet, packet_timestamp, records) VALUES ($1, $2, $3, $4)
     ON CONFLICT (pubky_domain_id) DO UPDATE SET packet = excluded.packet, packet_timestamp = excluded.packet_timestamp,
       records = excluded.records, stored_at = now()
     WHERE pkarr_records.packet_timestamp <= excluded.packet_timestamp`,
    [
      domain.id,
      Buffer.from(upload.payload),
      packet.timestamp,
      JSON.stringify(packet.records, recordReplacer),
    ],
  );
  await client.query(
    `INSERT INTO relay_packets (public_key, payload, packet_timestamp, min_ttl) VALUES ($1, $2, $3, $4)
     ON CONFLICT (public_key) DO UPDATE SET payload = excluded.payload, packet_timestamp = excluded.packet_timestamp,
       min_ttl = excluded.min_ttl, stored_at = now()
     WHERE relay_packets.packet_timestamp <= excluded.packet_timestamp`,
    [key, Buffer.from(upload.payload), packet.timestamp, minTtl],
  );
  await client.query(
    `INSERT INTO sync_receipts (client_id, user_id, public_key, packet_timestamp, outcome) VALUES ($1, $2, $3, $4, 'stored')`,
    [clientId, userId, key, packet.timestamp],
  );
  return { clientId, status: 'stored', timestamp: packet.timestamp };
}

/** SVCB parameter bytes as hex in the stored JSON. */
const recordReplacer = (_key: string, value: unknown) =>
  value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value;
