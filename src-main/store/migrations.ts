// The app's local SQLite schema, one forward-only step per entry (PRAGMA user_version counts
// them). Tables are STRICT. Only public material lives here: secret keys stay in the keychain.
export const LOCAL_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE keys (
    public_key TEXT PRIMARY KEY CHECK (length(public_key) = 52),
    label TEXT NOT NULL DEFAULT '',
    custody TEXT NOT NULL CHECK (custody IN ('os-keychain')),
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE domains (
    public_key TEXT PRIMARY KEY CHECK (length(public_key) = 52),
    label TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
  ) STRICT;

  -- The family's working copy of a domain's records, edited offline and signed on publish.
  CREATE TABLE record_drafts (
    domain TEXT NOT NULL REFERENCES domains(public_key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    record TEXT NOT NULL CHECK (json_valid(record)),
    PRIMARY KEY (domain, position)
  ) STRICT;

  -- The newest signed packet we know for each domain (ours or resolved from the network).
  CREATE TABLE signed_packets (
    domain TEXT PRIMARY KEY REFERENCES domains(public_key) ON DELETE CASCADE,
    timestamp INTEGER NOT NULL,
    payload BLOB NOT NULL CHECK (length(payload) BETWEEN 72 AND 1072),
    stored_at INTEGER NOT NULL
  ) STRICT;

  -- Publishes still to do. One row per (packet, target); a row is done once the target holds
  -- that packet or a newer one.
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL REFERENCES domains(public_key) ON DELETE CASCADE,
    timestamp INTEGER NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_flight', 'done', 'superseded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    updated_at INTEGER NOT NULL,
    UNIQUE (domain, timestamp, target)
  ) STRICT;
  CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

  -- Every attempt to publish to a relay or the DHT, with its outcome.
  CREATE TABLE publish_history (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    http_status INTEGER,
    detail TEXT,
    at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX publish_history_domain ON publish_history (domain, at);
  `,
  // 2: a key counts as backed up once its phrase was checked back, a recovery file was saved, or
  // it came from a phrase or file the person already holds; drafts remember when they changed,
  // so Home can say a domain has changes not yet published.
  `
  ALTER TABLE keys ADD COLUMN backed_up_at INTEGER;
  ALTER TABLE keys ADD COLUMN backup_method TEXT
    CHECK (backup_method IN ('phrase', 'recovery-file', 'imported'));
  ALTER TABLE domains ADD COLUMN drafts_changed_at INTEGER;
  `,
  // 3: the app's settings (relays, DHT, republish interval), and packets another device
  // published that are newer than ours while ours was being published or edited: kept beside
  // the drafts, never over them, until the person adopts theirs or publishes on top.
  `
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
  ) STRICT;

  CREATE TABLE conflicts (
    domain TEXT PRIMARY KEY REFERENCES domains(public_key) ON DELETE CASCADE,
    timestamp INTEGER NOT NULL,
    payload BLOB NOT NULL CHECK (length(payload) BETWEEN 72 AND 1072),
    found_at INTEGER NOT NULL,
    source TEXT NOT NULL
  ) STRICT;
  `,
  // 4: what happened in the person's families, as the companion server's feed told it, by the
  // feed's position (so nothing shows twice after a reconnect or a restart). A family this
  // person lost access to is dropped with its entries.
  `
  CREATE TABLE family_activity (
    seq INTEGER PRIMARY KEY,
    family_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    op TEXT NOT NULL,
    domain TEXT,
    records TEXT CHECK (records IS NULL OR json_valid(records)),
    packet_timestamp INTEGER,
    score INTEGER,
    at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX family_activity_family ON family_activity (family_id, seq);
  `,
  // 5: moving a domain between traditional DNS and Pubky (docs/migration.md): each migration
  // with its plan, the records it replaces (for rolling back), the packet it published and every
  // step it took, so a migration interrupted by a crash resumes where it was.
  `
  CREATE TABLE domain_migrations (
    id TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    zone TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('dns_to_pubky', 'pubky_to_dns')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'verifying', 'completed',
      'failed', 'cancelled', 'rolled_back')),
    planned TEXT NOT NULL CHECK (json_valid(planned)),
    previous TEXT NOT NULL CHECK (json_valid(previous)),
    published_timestamp INTEGER,
    rollback_requested INTEGER NOT NULL DEFAULT 0,
    rollback_timestamp INTEGER,
    deadline_ms INTEGER NOT NULL,
    verifying_since INTEGER,
    server_id TEXT,
    server_status TEXT,
    error TEXT,
    steps TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(steps)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX domain_migrations_one_active ON domain_migrations (domain)
    WHERE status IN ('pending', 'in_progress', 'verifying');
  `,
];
