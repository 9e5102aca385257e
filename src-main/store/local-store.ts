// The app's local store (better-sqlite3 + drizzle): keys' public parts, domains, record drafts,
// the newest signed packet per domain, the publish outbox and its history. It works offline; the
// outbox is what syncs later.
import Database from 'better-sqlite3';
import { and, asc, desc, eq, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import {
  recordFromJson,
  recordsToJson,
  recordToJson,
  type DnsRecord,
} from '../../src-shared/pkarr';
import type { ActivityEntry, DomainTarget } from '../../src-shared/ipc';
import { LOCAL_MIGRATIONS } from './migrations';
import * as schema from './schema';

export type MigrationStatus =
  'pending' | 'in_progress' | 'verifying' | 'completed' | 'failed' | 'cancelled' | 'rolled_back';

export interface MigrationStep {
  readonly at: number;
  readonly status: string;
  readonly detail: string;
}

export interface StoredMigration {
  readonly id: string;
  readonly domain: string;
  readonly zone: string;
  readonly direction: 'dns_to_pubky' | 'pubky_to_dns';
  readonly status: MigrationStatus;
  readonly planned: readonly DnsRecord[];
  readonly previous: readonly DnsRecord[];
  readonly publishedTimestamp: number | null;
  readonly rollbackRequested: boolean;
  readonly rollbackTimestamp: number | null;
  readonly deadlineMs: number;
  readonly verifyingSince: number | null;
  readonly serverId: string | null;
  readonly serverStatus: string | null;
  readonly error: string | null;
  readonly steps: readonly MigrationStep[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

interface MigrationRow {
  id: string;
  domain: string;
  zone: string;
  direction: 'dns_to_pubky' | 'pubky_to_dns';
  status: MigrationStatus;
  planned: string;
  previous: string;
  published_timestamp: number | null;
  rollback_requested: number;
  rollback_timestamp: number | null;
  deadline_ms: number;
  verifying_since: number | null;
  server_id: string | null;
  server_status: string | null;
  error: string | null;
  steps: string;
  created_at: number;
  updated_at: number;
}

const recordsOf = (json: string) =>
  (JSON.parse(json) as unknown[]).map((r) => recordFromJson(JSON.stringify(r)));

const migrationOf = (row: MigrationRow): StoredMigration => ({
  id: row.id,
  domain: row.domain,
  zone: row.zone,
  direction: row.direction,
  status: row.status,
  planned: recordsOf(row.planned),
  previous: recordsOf(row.previous),
  publishedTimestamp: row.published_timestamp,
  rollbackRequested: row.rollback_requested === 1,
  rollbackTimestamp: row.rollback_timestamp,
  deadlineMs: row.deadline_ms,
  verifyingSince: row.verifying_since,
  serverId: row.server_id,
  serverStatus: row.server_status,
  error: row.error,
  steps: JSON.parse(row.steps) as MigrationStep[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** How many of a family's activity entries the store keeps. */
const ACTIVITY_KEPT = 1000;

export type OutboxRow = typeof schema.outbox.$inferSelect;
export type PublishAttempt = typeof schema.publishHistory.$inferSelect;

export type BackupMethod = 'phrase' | 'recovery-file' | 'imported';

export interface DomainRow {
  readonly publicKey: string;
  readonly label: string;
  readonly createdAt: number;
  readonly held: boolean;
  readonly backedUpAt: number | null;
  readonly backupMethod: BackupMethod | null;
  readonly draftsChangedAt: number | null;
  readonly recordCount: number;
  readonly packetTimestamp: number | null;
  readonly packetStoredAt: number | null;
  /** A newer packet from elsewhere waiting for the person's decision. */
  readonly conflictTimestamp: number | null;
  /** The targets of the newest packet (empty before the first publish). */
  readonly targets: readonly DomainTarget[];
}

export interface StoredConflict {
  readonly domain: string;
  readonly timestamp: number;
  readonly payload: Uint8Array;
  readonly foundAt: number;
  /** Where it was found: a relay URL, 'dht', or 'republish'. */
  readonly source: string;
}

export interface StoredPacket {
  readonly domain: string;
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

function migrate(sqlite: Database.Database): void {
  const current = sqlite.pragma('user_version', { simple: true }) as number;
  if (current > LOCAL_MIGRATIONS.length) {
    throw new Error(`the local database is at version ${current}, newer than this app`);
  }
  for (let version = current; version < LOCAL_MIGRATIONS.length; version++) {
    sqlite.transaction(() => {
      sqlite.exec(LOCAL_MIGRATIONS[version] as string);
      sqlite.pragma(`user_version = ${version + 1}`);
    })();
  }
}

export class LocalStore {
  readonly sqlite: Database.Database;
  private readonly db: BetterSQLite3Database<typeof schema>;

  constructor(path: string) {
    this.sqlite = new Database(path);
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('foreign_keys = ON');
    this.sqlite.pragma('busy_timeout = 5000');
    migrate(this.sqlite);
    this.db = drizzle(this.sqlite, { schema });
  }

  close(): void {
    this.sqlite.close();
  }

  transaction<T>(work: () => T): T {
    return this.sqlite.transaction(work)();
  }

  // keys: the public half and custody metadata, never the secret

  addKey(publicKey: string, label = '', now = Date.now()): void {
    this.db
      .insert(schema.keys)
      .values({ publicKey, label, custody: 'os-keychain', createdAt: now })
      .onConflictDoNothing()
      .run();
  }
  removeKey(publicKey: string): void {
    this.db.delete(schema.keys).where(eq(schema.keys.publicKey, publicKey)).run();
  }
  keyLabel(publicKey: string): string | undefined {
    return this.db
      .select({ label: schema.keys.label })
      .from(schema.keys)
      .where(eq(schema.keys.publicKey, publicKey))
      .get()?.label;
  }
  /** Marks a key backed up (the first method that did it is kept, with its time). */
  markBackedUp(publicKey: string, method: BackupMethod, now = Date.now()): void {
    this.db
      .update(schema.keys)
      .set({ backedUpAt: now, backupMethod: method })
      .where(and(eq(schema.keys.publicKey, publicKey), isNull(schema.keys.backedUpAt)))
      .run();
  }
  backupOf(publicKey: string): { method: BackupMethod; at: number } | null {
    const row = this.db
      .select({ method: schema.keys.backupMethod, at: schema.keys.backedUpAt })
      .from(schema.keys)
      .where(eq(schema.keys.publicKey, publicKey))
      .get();
    return row?.method && row.at !== null ? { method: row.method, at: row.at } : null;
  }
  listKeys(): string[] {
    return this.db
      .select({ publicKey: schema.keys.publicKey })
      .from(schema.keys)
      .orderBy(asc(schema.keys.createdAt))
      .all()
      .map((row) => row.publicKey);
  }

  // domains and drafts

  addDomain(publicKey: string, label = '', now = Date.now()): void {
    this.db
      .insert(schema.domains)
      .values({ publicKey, label, createdAt: now })
      .onConflictDoNothing()
      .run();
  }
  listDomains(): (typeof schema.domains.$inferSelect)[] {
    return this.db.select().from(schema.domains).orderBy(asc(schema.domains.createdAt)).all();
  }
  setDrafts(domain: string, records: readonly DnsRecord[], now = Date.now()): void {
    this.transaction(() => {
      this.db
        .update(schema.domains)
        .set({ draftsChangedAt: now })
        .where(eq(schema.domains.publicKey, domain))
        .run();
      this.db.delete(schema.recordDrafts).where(eq(schema.recordDrafts.domain, domain)).run();
      records.forEach((record, position) =>
        this.db
          .insert(schema.recordDrafts)
          .values({ domain, position, record: recordToJson(record) })
          .run(),
      );
    });
  }
  getDrafts(domain: string): DnsRecord[] {
    return this.db
      .select()
      .from(schema.recordDrafts)
      .where(eq(schema.recordDrafts.domain, domain))
      .orderBy(asc(schema.recordDrafts.position))
      .all()
      .map((row) => recordFromJson(row.record));
  }

  /**
   * One row per domain for Home, in one query: backup state, record count, the newest packet and
   * its targets' states. Fast enough for thousands of domains (docs/performance.md).
   */
  domainRows(): DomainRow[] {
    return this.sqlite
      .prepare(
        `SELECT d.public_key AS publicKey, d.label, d.created_at AS createdAt,
           k.public_key IS NOT NULL AS held, k.backed_up_at AS backedUpAt,
           k.backup_method AS backupMethod, d.drafts_changed_at AS draftsChangedAt,
           (SELECT count(*) FROM record_drafts r WHERE r.domain = d.public_key) AS recordCount,
           p.timestamp AS packetTimestamp, p.stored_at AS packetStoredAt,
           c.timestamp AS conflictTimestamp,
           (SELECT json_group_array(json_object('target', o.target, 'state', o.state,
                     'attempts', o.attempts, 'lastError', o.last_error,
                     'nextAttemptAt', o.next_attempt_at, 'updatedAt', o.updated_at))
            FROM outbox o WHERE o.domain = d.public_key AND o.timestamp = p.timestamp
              AND o.state <> 'superseded') AS targets
         FROM domains d
         LEFT JOIN keys k ON k.public_key = d.public_key
         LEFT JOIN signed_packets p ON p.domain = d.public_key
         LEFT JOIN conflicts c ON c.domain = d.public_key
         ORDER BY d.created_at, d.public_key`,
      )
      .all()
      .map((row) => {
        const r = row as Omit<DomainRow, 'targets' | 'held'> & { held: number; targets: string };
        return { ...r, held: r.held === 1, targets: JSON.parse(r.targets) as DomainTarget[] };
      });
  }

  /** Whether the drafts changed after the newest packet was stored (edits not yet published). */
  hasUnpublishedChanges(domain: string): boolean {
    const row = this.sqlite
      .prepare(
        `SELECT d.drafts_changed_at AS changed, p.stored_at AS stored FROM domains d
         LEFT JOIN signed_packets p ON p.domain = d.public_key WHERE d.public_key = ?`,
      )
      .get(domain) as { changed: number | null; stored: number | null } | undefined;
    return !!row && row.changed !== null && (row.stored === null || row.changed > row.stored);
  }

  // settings: small JSON values by name

  getSetting<T>(name: string): T | undefined {
    const row = this.sqlite.prepare('SELECT value FROM settings WHERE name = ?').get(name) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }
  setSetting(name: string, value: unknown): void {
    this.sqlite
      .prepare(
        'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      )
      .run(name, JSON.stringify(value));
  }

  // domain migrations: one row each, updated step by step

  insertMigration(row: StoredMigration): void {
    this.sqlite
      .prepare(
        `INSERT INTO domain_migrations (id, domain, zone, direction, status, planned, previous,
           deadline_ms, steps, created_at, updated_at)
         VALUES (@id, @domain, @zone, @direction, @status, @planned, @previous, @deadlineMs,
           @steps, @createdAt, @updatedAt)`,
      )
      .run({
        ...row,
        planned: recordsToJson(row.planned),
        previous: recordsToJson(row.previous),
        steps: JSON.stringify(row.steps),
      });
  }

  getMigration(id: string): StoredMigration | undefined {
    const row = this.sqlite.prepare('SELECT * FROM domain_migrations WHERE id = ?').get(id) as
      MigrationRow | undefined;
    return row && migrationOf(row);
  }

  /** The migrations not yet at an end (or waiting to be rolled back), oldest first. */
  unfinishedMigrations(): StoredMigration[] {
    return (
      this.sqlite
        .prepare(
          `SELECT * FROM domain_migrations
           WHERE status IN ('pending', 'in_progress', 'verifying')
              OR (rollback_requested = 1 AND status <> 'rolled_back')
              OR coalesce(server_status, '') <> status AND server_id IS NOT NULL
           ORDER BY created_at`,
        )
        .all() as MigrationRow[]
    ).map(migrationOf);
  }

  migrationsOf(domain: string): StoredMigration[] {
    return (
      this.sqlite
        .prepare('SELECT * FROM domain_migrations WHERE domain = ? ORDER BY created_at DESC')
        .all(domain) as MigrationRow[]
    ).map(migrationOf);
  }

  /** Changes the named fields; a step, when given, is appended to the migration's log. */
  updateMigration(
    id: string,
    change: Partial<
      Pick<
        StoredMigration,
        | 'status'
        | 'publishedTimestamp'
        | 'rollbackRequested'
        | 'rollbackTimestamp'
        | 'verifyingSince'
        | 'serverId'
        | 'serverStatus'
        | 'error'
      >
    >,
    step: MigrationStep | undefined,
    now: number,
  ): StoredMigration {
    const columns: Record<string, string> = {
      status: 'status',
      publishedTimestamp: 'published_timestamp',
      rollbackRequested: 'rollback_requested',
      rollbackTimestamp: 'rollback_timestamp',
      verifyingSince: 'verifying_since',
      serverId: 'server_id',
      serverStatus: 'server_status',
      error: 'error',
    };
    const sets = Object.keys(change).map((k) => `${columns[k]!} = @${k}`);
    const values: Record<string, unknown> = { ...change, id, now };
    if (typeof values['rollbackRequested'] === 'boolean')
      values['rollbackRequested'] = values['rollbackRequested'] ? 1 : 0;
    const stepSql = step ? `, steps = json_insert(steps, '$[#]', json(@step))` : '';
    if (step) values['step'] = JSON.stringify(step);
    this.sqlite
      .prepare(
        `UPDATE domain_migrations SET ${[...sets, 'updated_at = @now'].join(', ')}${stepSql} WHERE id = @id`,
      )
      .run(values);
    return this.getMigration(id)!;
  }

  // family activity: the feed's events, once each

  /** Keeps an event; one already kept (same feed position) is ignored. */
  addActivity(entry: ActivityEntry): boolean {
    const result = this.sqlite
      .prepare(
        `INSERT INTO family_activity (seq, family_id, kind, op, domain, records, packet_timestamp, score, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`,
      )
      .run(
        entry.seq,
        entry.familyId,
        entry.kind,
        entry.op,
        entry.domain,
        entry.records ? recordsToJson(entry.records) : null,
        entry.packetTimestamp,
        entry.score,
        entry.at,
      );
    if (result.changes === 1) {
      // Bounded: the newest ACTIVITY_KEPT of each family.
      this.sqlite
        .prepare(
          `DELETE FROM family_activity WHERE family_id = ? AND seq <= (
             SELECT seq FROM family_activity WHERE family_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
        )
        .run(entry.familyId, entry.familyId, ACTIVITY_KEPT);
    }
    return result.changes === 1;
  }

  /** A family's activity, oldest first (the newest `limit`). */
  activity(familyId: string, limit = 200): ActivityEntry[] {
    const rows = this.sqlite
      .prepare(
        `SELECT * FROM (SELECT seq, family_id, kind, op, domain, records, packet_timestamp, score, at
           FROM family_activity WHERE family_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
      )
      .all(familyId, limit) as {
      seq: number;
      family_id: string;
      kind: string;
      op: string;
      domain: string | null;
      records: string | null;
      packet_timestamp: number | null;
      score: number | null;
      at: number;
    }[];
    return rows.map((row) => ({
      seq: row.seq,
      familyId: row.family_id,
      kind: row.kind,
      op: row.op,
      domain: row.domain,
      records: row.records
        ? (JSON.parse(row.records) as unknown[]).map((r) => recordFromJson(JSON.stringify(r)))
        : null,
      packetTimestamp: row.packet_timestamp,
      score: row.score,
      at: row.at,
    }));
  }

  /** Forgets a family this person lost access to (its keys stay: they are the person's). */
  dropFamily(familyId: string): void {
    this.sqlite.prepare('DELETE FROM family_activity WHERE family_id = ?').run(familyId);
  }

  // conflicts: a newer packet from elsewhere, kept beside the drafts

  setConflict(conflict: StoredConflict): void {
    this.sqlite
      .prepare(
        `INSERT INTO conflicts (domain, timestamp, payload, found_at, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (domain) DO UPDATE SET timestamp = excluded.timestamp, payload = excluded.payload,
           found_at = excluded.found_at, source = excluded.source
         WHERE excluded.timestamp > conflicts.timestamp`,
      )
      .run(
        conflict.domain,
        conflict.timestamp,
        Buffer.from(conflict.payload),
        conflict.foundAt,
        conflict.source,
      );
  }
  getConflict(domain: string): StoredConflict | undefined {
    const row = this.sqlite
      .prepare('SELECT timestamp, payload, found_at, source FROM conflicts WHERE domain = ?')
      .get(domain) as
      { timestamp: number; payload: Buffer; found_at: number; source: string } | undefined;
    return (
      row && {
        domain,
        timestamp: row.timestamp,
        payload: new Uint8Array(row.payload),
        foundAt: row.found_at,
        source: row.source,
      }
    );
  }
  clearConflict(domain: string): void {
    this.sqlite.prepare('DELETE FROM conflicts WHERE domain = ?').run(domain);
  }

  // signed packets and the outbox

  getPacket(domain: string): StoredPacket | undefined {
    const row = this.db
      .select()
      .from(schema.signedPackets)
      .where(eq(schema.signedPackets.domain, domain))
      .get();
    return row && { domain, timestamp: row.timestamp, payload: new Uint8Array(row.payload) };
  }

  /**
   * Stores a packet as the domain's newest and queues it for every target, in one transaction,
   * so a crash leaves either both or neither. Older queued publishes of the domain are
   * superseded: sending them would only be refused as stale.
   */
  storeAndQueue(packet: StoredPacket, targets: readonly string[], now = Date.now()): void {
    this.transaction(() => {
      this.db
        .insert(schema.signedPackets)
        .values({
          domain: packet.domain,
          timestamp: packet.timestamp,
          payload: Buffer.from(packet.payload),
          storedAt: now,
        })
        .onConflictDoUpdate({
          target: schema.signedPackets.domain,
          set: { timestamp: packet.timestamp, payload: Buffer.from(packet.payload), storedAt: now },
        })
        .run();
      this.db
        .update(schema.outbox)
        .set({ state: 'superseded', updatedAt: now })
        .where(
          and(
            eq(schema.outbox.domain, packet.domain),
            inArray(schema.outbox.state, ['pending', 'in_flight']),
            ne(schema.outbox.timestamp, packet.timestamp),
          ),
        )
        .run();
      for (const target of targets) {
        this.db
          .insert(schema.outbox)
          .values({
            domain: packet.domain,
            timestamp: packet.timestamp,
            target,
            state: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: [schema.outbox.domain, schema.outbox.timestamp, schema.outbox.target],
            // A new request to publish: the target gets it again even if it had it before (a
            // republish refreshes DHT storage), so the attempt count starts over.
            set: {
              state: 'pending',
              attempts: 0,
              lastError: null,
              nextAttemptAt: now,
              updatedAt: now,
            },
          })
          .run();
      }
    });
  }

  /** Takes due entries and marks them in flight, so a second worker does not take them too. */
  claimDue(now = Date.now(), limit = 50): OutboxRow[] {
    return this.transaction(() => {
      const rows = this.db
        .select()
        .from(schema.outbox)
        .where(and(eq(schema.outbox.state, 'pending'), lte(schema.outbox.nextAttemptAt, now)))
        .orderBy(asc(schema.outbox.nextAttemptAt), asc(schema.outbox.id))
        .limit(limit)
        .all();
      if (rows.length) {
        this.db
          .update(schema.outbox)
          .set({ state: 'in_flight', attempts: sql`${schema.outbox.attempts} + 1`, updatedAt: now })
          .where(
            inArray(
              schema.outbox.id,
              rows.map((r) => r.id),
            ),
          )
          .run();
      }
      return rows.map((row) => ({
        ...row,
        state: 'in_flight' as const,
        attempts: row.attempts + 1,
      }));
    });
  }

  finishOutbox(id: number, now = Date.now()): void {
    this.db
      .update(schema.outbox)
      .set({ state: 'done', lastError: null, updatedAt: now })
      .where(eq(schema.outbox.id, id))
      .run();
  }
  supersedeOutbox(id: number, reason: string, now = Date.now()): void {
    this.db
      .update(schema.outbox)
      .set({ state: 'superseded', lastError: reason, updatedAt: now })
      .where(eq(schema.outbox.id, id))
      .run();
  }
  retryOutbox(id: number, error: string, nextAttemptAt: number, now = Date.now()): void {
    this.db
      .update(schema.outbox)
      .set({
        state: 'pending',
        lastError: error,
        nextAttemptAt: Math.ceil(nextAttemptAt),
        updatedAt: now,
      })
      .where(eq(schema.outbox.id, id))
      .run();
  }

  /** A waiting entry of the domain's newest packet for `target` becomes due now. */
  retryNow(domain: string, target: string, now = Date.now()): boolean {
    return (
      this.db
        .update(schema.outbox)
        .set({ nextAttemptAt: now, updatedAt: now })
        .where(
          and(
            eq(schema.outbox.domain, domain),
            eq(schema.outbox.target, target),
            eq(schema.outbox.state, 'pending'),
          ),
        )
        .run().changes > 0
    );
  }

  /**
   * After a crash, entries left in flight go back to pending. Their attempt count stays above
   * zero, which tells the publisher to ask the target what it holds before sending again.
   */
  recoverInFlight(now = Date.now()): number {
    return this.db
      .update(schema.outbox)
      .set({ state: 'pending', lastError: 'interrupted', nextAttemptAt: now, updatedAt: now })
      .where(eq(schema.outbox.state, 'in_flight'))
      .run().changes;
  }

  outboxEntries(domain?: string): OutboxRow[] {
    const query = this.db.select().from(schema.outbox);
    return (domain ? query.where(eq(schema.outbox.domain, domain)) : query)
      .orderBy(asc(schema.outbox.id))
      .all();
  }

  recordAttempt(attempt: Omit<PublishAttempt, 'id'>): void {
    this.db.insert(schema.publishHistory).values(attempt).run();
  }
  history(domain: string, limit = 100): PublishAttempt[] {
    return this.db
      .select()
      .from(schema.publishHistory)
      .where(eq(schema.publishHistory.domain, domain))
      .orderBy(desc(schema.publishHistory.id))
      .limit(limit)
      .all();
  }
}
