-- The seed's schema, done right: families, members, guardians, domains, Pubky keys (public
-- halves only), signed PKARR packets with per-target confirmations, migrations, guardian
-- backups, and sovereignty scores computed in triggers from that evidence.

CREATE DOMAIN z32_key AS text CHECK (VALUE ~ '^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$');

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  email text UNIQUE CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  pubky_url text CHECK (pubky_url IS NULL OR pubky_url ~ '^pubky://[ybndrfg8ejkmcpqxot1uwisza345h769]{52}(/.*)?$'),
  pubky_public_key z32_key UNIQUE,
  pubky_private_key_encrypted bytea CHECK (octet_length(pubky_private_key_encrypted) <= 4096)
);
COMMENT ON COLUMN users.pubky_private_key_encrypted IS
  'NULL, or a blob the user''s app encrypted before upload (e.g. a Pubky recovery file). The server never holds the key to open it.';
-- The member's sign-in key: the app proves possession of it; its secret never leaves the app.

CREATE TABLE families (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  pubky_url text CHECK (pubky_url IS NULL OR pubky_url ~ '^pubky://[ybndrfg8ejkmcpqxot1uwisza345h769]{52}(/.*)?$'),
  pubky_public_key z32_key UNIQUE,
  pubky_homeserver_url text,
  pubky_relay_url text,
  pubky_enabled boolean NOT NULL DEFAULT false
);

CREATE TABLE family_members (
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'member', 'guardian')),
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (family_id, user_id)
);
CREATE INDEX family_members_user ON family_members (user_id);

CREATE TABLE federation_guardians (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  guardian_public_key z32_key NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  pubky_backup_status text NOT NULL DEFAULT 'none'
    CHECK (pubky_backup_status IN ('none', 'pending', 'acknowledged', 'revoked')),
  pubky_backup_url text,
  pubky_backup_last_updated timestamptz,
  UNIQUE (family_id, user_id)
);
CREATE INDEX federation_guardians_user ON federation_guardians (user_id);

CREATE TABLE domain_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 253 AND name = lower(name)),
  domain_type text NOT NULL CHECK (domain_type IN ('traditional', 'pubky')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Cached from sovereignty_scores by trigger, for list views.
  sovereignty_score integer NOT NULL DEFAULT 0 CHECK (sovereignty_score BETWEEN 0 AND 100),
  pubky_enabled boolean NOT NULL DEFAULT false,
  pubky_homeserver_url text,
  pubky_relay_url text,
  UNIQUE (family_id, name)
);

CREATE TABLE pubky_keypairs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  public_key z32_key NOT NULL UNIQUE,
  label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
  -- Where the secret lives, as the family's app reports it.
  custody text NOT NULL DEFAULT 'unknown'
    CHECK (custody IN ('os-keychain', 'guardian-recovered', 'unknown')),
  private_key_encrypted bytea CHECK (octet_length(private_key_encrypted) <= 4096),
  recovery_exported_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN pubky_keypairs.private_key_encrypted IS
  'NULL, or a blob encrypted by the family''s app (e.g. a passphrase-protected Pubky recovery file). The server cannot open it.';
CREATE INDEX pubky_keypairs_family ON pubky_keypairs (family_id);

CREATE TABLE pubky_domains (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  domain_record_id uuid NOT NULL UNIQUE REFERENCES domain_records(id) ON DELETE CASCADE,
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  keypair_id uuid NOT NULL REFERENCES pubky_keypairs(id) ON DELETE RESTRICT,
  public_key z32_key NOT NULL UNIQUE,
  pubky_url text NOT NULL GENERATED ALWAYS AS ('pubky://' || public_key) STORED,
  homeserver_public_key z32_key,
  homeserver_self_hosted boolean,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'retired')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((homeserver_public_key IS NULL) = (homeserver_self_hosted IS NULL))
);
CREATE INDEX pubky_domains_family ON pubky_domains (family_id);
CREATE INDEX pubky_domains_keypair ON pubky_domains (keypair_id);

-- The latest signed packet per domain (verified by the server before it is stored).
CREATE TABLE pkarr_records (
  pubky_domain_id uuid PRIMARY KEY REFERENCES pubky_domains(id) ON DELETE CASCADE,
  packet bytea NOT NULL CHECK (octet_length(packet) BETWEEN 72 AND 1072),
  packet_timestamp bigint NOT NULL CHECK (packet_timestamp >= 0),
  records jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(records) = 'array'),
  stored_at timestamptz NOT NULL DEFAULT now()
);

-- Where that packet was last confirmed: one row per relay URL, and 'dht' for the Mainline DHT.
CREATE TABLE pkarr_publications (
  pubky_domain_id uuid NOT NULL REFERENCES pubky_domains(id) ON DELETE CASCADE,
  target text NOT NULL CHECK (target = 'dht' OR target ~ '^https?://'),
  confirmed_timestamp bigint NOT NULL,
  confirmed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pubky_domain_id, target)
);

CREATE TABLE domain_migrations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  domain_record_id uuid NOT NULL REFERENCES domain_records(id) ON DELETE CASCADE,
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  direction text NOT NULL CHECK (direction IN ('dns_to_pubky', 'pubky_to_dns')),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'in_progress', 'verifying', 'completed', 'failed', 'cancelled', 'rolled_back')),
  error text,
  plan jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One active migration per domain (a partial unique index: the seed tried a partial UNIQUE
-- constraint, which Postgres does not have).
CREATE UNIQUE INDEX domain_migrations_one_active
  ON domain_migrations (domain_record_id) WHERE status IN ('pending', 'in_progress', 'verifying');
CREATE INDEX domain_migrations_family ON domain_migrations (family_id);

-- Threshold backups of a family key: shares are encrypted by the app to each guardian's key.
CREATE TABLE guardian_backups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL REFERENCES families(id) ON DELETE CASCADE,
  keypair_id uuid NOT NULL REFERENCES pubky_keypairs(id) ON DELETE CASCADE,
  threshold integer NOT NULL CHECK (threshold >= 1),
  share_count integer NOT NULL CHECK (share_count >= threshold AND share_count <= 255),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'superseded', 'revoked')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX guardian_backups_one_active ON guardian_backups (keypair_id) WHERE status = 'active';

CREATE TABLE guardian_backup_shares (
  backup_id uuid NOT NULL REFERENCES guardian_backups(id) ON DELETE CASCADE,
  guardian_id uuid NOT NULL REFERENCES federation_guardians(id) ON DELETE CASCADE,
  encrypted_share bytea NOT NULL CHECK (octet_length(encrypted_share) BETWEEN 1 AND 4096),
  acknowledged_at timestamptz,
  PRIMARY KEY (backup_id, guardian_id)
);
COMMENT ON COLUMN guardian_backup_shares.encrypted_share IS
  'A Shamir share encrypted by the family''s app to the guardian''s public key; only that guardian can open it.';
CREATE INDEX guardian_backup_shares_guardian ON guardian_backup_shares (guardian_id);

CREATE TABLE sovereignty_scores (
  domain_record_id uuid PRIMARY KEY REFERENCES domain_records(id) ON DELETE CASCADE,
  score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  breakdown jsonb NOT NULL,
  evidence jsonb NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sovereignty_score_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain_record_id uuid NOT NULL REFERENCES domain_records(id) ON DELETE CASCADE,
  score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  breakdown jsonb NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sovereignty_score_history_domain ON sovereignty_score_history (domain_record_id, computed_at);

-- ─── Scoring ────────────────────────────────────────────────────────────────────────────────
-- The rules, mirrored exactly by src-shared/score/score-rules.ts (a parity test holds them).

-- One factor: its points are the reasons' sum clamped to 0-20; reasons worth 0 are left out.
-- Written with builtins only (no nested SQL-function calls): it runs once per domain re-scored.
CREATE FUNCTION score_factor(factor_key text, points int, reasons jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object(
    'key', factor_key,
    'points', greatest(0, least(20, points)),
    'max', 20,
    'reasons', jsonb_path_query_array(reasons, '$[*] ? (@.points != 0)'))
$$;

CREATE FUNCTION sovereignty_breakdown(e jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  factors jsonb;
  custody text := e ->> 'custody';
  threshold int := (e ->> 'guardianThreshold')::int;
  shares int := (e ->> 'guardianShares')::int;
  acked int := (e ->> 'guardianAcknowledged')::int;
  fresh_relays int := (e ->> 'freshRelays')::int;
  on_dht boolean := (e ->> 'freshOnDht')::boolean;
  has_packet boolean := (e ->> 'hasSignedPacket')::boolean;
  self_hosted boolean := (e ->> 'homeserverSelfHosted')::boolean;
  private_addresses int := (e ->> 'privateAddresses')::int;
  exported boolean := (e ->> 'recoveryExported')::boolean;
  backup text;
  owns_key boolean;
  targets int;
  p int[];
  total int;
BEGIN
  IF e ->> 'domainType' = 'traditional' THEN
    RETURN jsonb_build_object('total', 20, 'factors', jsonb_build_array(
      jsonb_build_object('key', 'provider_independence', 'points', 5, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_controlled', 'points', 5))),
      jsonb_build_object('key', 'key_ownership', 'points', 0, 'max', 20, 'reasons', '[]'::jsonb),
      jsonb_build_object('key', 'censorship_resistance', 'points', 4, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'single_resolution_path', 'points', 4))),
      jsonb_build_object('key', 'privacy', 'points', 5, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_and_resolver_see_queries', 'points', 5))),
      jsonb_build_object('key', 'portability', 'points', 6, 'max', 20, 'reasons',
        jsonb_build_array(jsonb_build_object('code', 'registrar_transfer', 'points', 6)))));
  END IF;
  backup := CASE
    WHEN shares = 0 THEN 'none'
    WHEN threshold >= 2 AND acked >= threshold THEN 'complete'
    ELSE 'partial' END;
  owns_key := custody IN ('os-keychain', 'guardian-recovered');
  targets := fresh_relays + CASE WHEN on_dht THEN 1 ELSE 0 END;
  -- The reasons' points, factor by factor (three each), in the order the TS rules list them.
  p := ARRAY[
    CASE WHEN has_packet THEN 8 ELSE 0 END,
    CASE WHEN targets >= 2 THEN 6 WHEN targets = 1 THEN 3 ELSE 0 END,
    CASE WHEN self_hosted IS TRUE THEN 6 WHEN self_hosted IS NULL THEN 3 ELSE 0 END,
    CASE WHEN owns_key THEN 12 ELSE 0 END,
    CASE backup WHEN 'complete' THEN 8 WHEN 'partial' THEN 4 ELSE 0 END,
    0,
    CASE WHEN has_packet THEN 4 ELSE 0 END,
    CASE WHEN fresh_relays >= 2 THEN 8 WHEN fresh_relays = 1 THEN 4 ELSE 0 END,
    CASE WHEN on_dht THEN 8 ELSE 0 END,
    20,
    CASE WHEN private_addresses > 0 THEN -10 ELSE 0 END,
    CASE WHEN self_hosted IS FALSE THEN -5 ELSE 0 END,
    CASE backup WHEN 'complete' THEN 12 WHEN 'partial' THEN 6 ELSE 0 END,
    CASE WHEN exported THEN 8 ELSE 0 END,
    CASE WHEN self_hosted IS TRUE THEN 8 ELSE 0 END];
  factors := jsonb_build_array(
    score_factor('provider_independence', p[1] + p[2] + p[3], jsonb_build_array(
      jsonb_build_object('code', 'signed_packet_stored', 'points', p[1]),
      jsonb_build_object('code', 'independent_publishers', 'points', p[2]),
      jsonb_build_object('code', CASE WHEN self_hosted IS TRUE THEN 'homeserver_self_hosted' ELSE 'homeserver_third_party' END, 'points', p[3]))),
    score_factor('key_ownership', p[4] + p[5], jsonb_build_array(
      jsonb_build_object('code', 'custody_' || replace(custody, '-', '_'), 'points', p[4]),
      jsonb_build_object('code', 'guardian_backup_' || backup, 'points', p[5]))),
    score_factor('censorship_resistance', p[7] + p[8] + p[9], jsonb_build_array(
      jsonb_build_object('code', 'signed_packet_stored', 'points', p[7]),
      jsonb_build_object('code', 'fresh_on_relays', 'points', p[8]),
      jsonb_build_object('code', 'fresh_on_dht', 'points', p[9]))),
    score_factor('privacy', p[10] + p[11] + p[12], jsonb_build_array(
      jsonb_build_object('code', 'no_registrar_or_resolver', 'points', p[10]),
      jsonb_build_object('code', 'private_addresses_published', 'points', p[11]),
      jsonb_build_object('code', 'homeserver_third_party', 'points', p[12]))),
    score_factor('portability', p[13] + p[14] + p[15], jsonb_build_array(
      jsonb_build_object('code', 'guardian_backup_' || backup, 'points', p[13]),
      jsonb_build_object('code', 'recovery_file_exported', 'points', p[14]),
      jsonb_build_object('code', 'homeserver_self_hosted', 'points', p[15]))));
  total := least(20, greatest(0, p[1] + p[2] + p[3])) + least(20, greatest(0, p[4] + p[5]))
         + least(20, greatest(0, p[7] + p[8] + p[9])) + least(20, greatest(0, p[10] + p[11] + p[12]))
         + least(20, greatest(0, p[13] + p[14] + p[15]));
  RETURN jsonb_build_object('total', total, 'factors', factors);
END $$;

-- Private and special-use ranges that should not be published in a public zone.
CREATE FUNCTION is_private_address(address text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN address ~ '^[0-9a-fA-F:.]+$' THEN
    address::inet <<= ANY (ARRAY['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8',
                                 '169.254.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fe80::/10', '::1/128']::inet[])
  ELSE false END
$$;

-- The evidence for every domain, gathered from stored rows. Freshness is judged at now().
CREATE VIEW domain_evidence AS
SELECT
  d.id AS domain_record_id,
  jsonb_build_object(
    'domainType', d.domain_type,
    'hasSignedPacket', pr.pubky_domain_id IS NOT NULL,
    'freshRelays', coalesce(pub.fresh_relays, 0),
    'freshOnDht', coalesce(pub.fresh_dht, false),
    'custody', coalesce(k.custody, 'none'),
    'guardianThreshold', coalesce(gb.threshold, 0),
    'guardianShares', coalesce(gs.shares, 0),
    'guardianAcknowledged', coalesce(gs.acknowledged, 0),
    'homeserverSelfHosted', pd.homeserver_self_hosted,
    'privateAddresses', coalesce(priv.n, 0),
    'recoveryExported', k.recovery_exported_at IS NOT NULL
  ) AS evidence
FROM domain_records d
LEFT JOIN pubky_domains pd ON pd.domain_record_id = d.id
LEFT JOIN pubky_keypairs k ON k.id = pd.keypair_id
LEFT JOIN pkarr_records pr ON pr.pubky_domain_id = pd.id
LEFT JOIN LATERAL (
  SELECT count(*) FILTER (WHERE p.target <> 'dht')::int AS fresh_relays,
         bool_or(p.target = 'dht') AS fresh_dht
  FROM pkarr_publications p
  WHERE p.pubky_domain_id = pd.id
    AND p.confirmed_timestamp >= pr.packet_timestamp
    AND p.confirmed_at > now() - interval '24 hours'
) pub ON true
LEFT JOIN guardian_backups gb ON gb.keypair_id = k.id AND gb.status = 'active'
LEFT JOIN LATERAL (
  SELECT count(*)::int AS shares, count(s.acknowledged_at)::int AS acknowledged
  FROM guardian_backup_shares s WHERE s.backup_id = gb.id
) gs ON true
LEFT JOIN LATERAL (
  SELECT count(*)::int AS n
  FROM jsonb_array_elements(pr.records) r
  WHERE r ->> 'type' IN ('A', 'AAAA') AND is_private_address(r ->> 'address')
) priv ON true;

-- Re-scores the given domains in one statement: writes the score when it changed, appends the
-- history, and caches the total on domain_records.
CREATE FUNCTION rescore_domains(ids uuid[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  -- Statement triggers fire for zero rows too; stopping here ends the chain that caching the
  -- score on domain_records would otherwise start again.
  IF cardinality(ids) = 0 THEN
    RETURN 0;
  END IF;
  WITH gathered AS MATERIALIZED (
    SELECT e.domain_record_id, e.evidence FROM domain_evidence e WHERE e.domain_record_id = ANY (ids)
  ),
  -- The breakdown is a pure function of the evidence: score each distinct evidence set once
  -- (a bulk change leaves most domains with identical evidence).
  -- MATERIALIZED: inlined, the planner would call the function once per domain again.
  scored AS MATERIALIZED (
    SELECT evidence, sovereignty_breakdown(evidence) AS breakdown
    FROM (SELECT DISTINCT evidence FROM gathered) d
  ),
  computed AS (
    SELECT g.domain_record_id, g.evidence, s.breakdown FROM gathered g JOIN scored s USING (evidence)
  ),
  upserted AS (
    INSERT INTO sovereignty_scores AS s (domain_record_id, score, breakdown, evidence, computed_at)
    SELECT domain_record_id, (breakdown ->> 'total')::int, breakdown, evidence, now() FROM computed
    ON CONFLICT (domain_record_id) DO UPDATE
      SET score = excluded.score, breakdown = excluded.breakdown, evidence = excluded.evidence,
          computed_at = excluded.computed_at
      WHERE s.breakdown IS DISTINCT FROM excluded.breakdown
    RETURNING s.domain_record_id, s.score, s.breakdown, s.computed_at
  ),
  history AS (
    INSERT INTO sovereignty_score_history (domain_record_id, score, breakdown, computed_at)
    SELECT domain_record_id, score, breakdown, computed_at FROM upserted
  )
  UPDATE domain_records d SET sovereignty_score = u.score
  FROM upserted u WHERE d.id = u.domain_record_id AND d.sovereignty_score <> u.score;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END $$;

-- Domains whose freshness ran out since their last scoring; the server calls this periodically,
-- because time passing changes no row.
CREATE FUNCTION rescore_stale() RETURNS integer
LANGUAGE sql AS $$
  SELECT rescore_domains(coalesce(array_agg(s.domain_record_id), '{}'))
  FROM sovereignty_scores s
  WHERE ((s.evidence ->> 'freshRelays')::int > 0 OR (s.evidence ->> 'freshOnDht')::boolean)
    AND s.computed_at < now() - interval '1 minute'
$$;

-- Statement-level triggers: one re-score per statement over the domains it touched, so a bulk
-- change of 10,000 rows costs one set-based pass, not 10,000.
CREATE FUNCTION rescore_from_domain_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;

-- A domain that changes type (a migration completed) is scored by its new rules.
CREATE FUNCTION rescore_from_changed_domain_type() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY[NEW.id]);
  RETURN NULL;
END $$;

CREATE FUNCTION rescore_from_pubky_domain_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.id IN (SELECT pubky_domain_id FROM changed_rows)));
  RETURN NULL;
END $$;

CREATE FUNCTION rescore_from_pubky_domains() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(SELECT domain_record_id FROM changed_rows));
  RETURN NULL;
END $$;

CREATE FUNCTION rescore_from_keypairs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd WHERE pd.keypair_id IN (SELECT id FROM changed_rows)));
  RETURN NULL;
END $$;

CREATE FUNCTION rescore_from_backups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd WHERE pd.keypair_id IN (SELECT keypair_id FROM changed_rows)));
  RETURN NULL;
END $$;

CREATE FUNCTION rescore_from_shares() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    JOIN guardian_backups gb ON gb.keypair_id = pd.keypair_id
    WHERE gb.id IN (SELECT backup_id FROM changed_rows)));
  RETURN NULL;
END $$;

CREATE TRIGGER domain_records_rescore_insert AFTER INSERT ON domain_records
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_domain_rows();
-- Row level, on the one column that matters: caching the score on domain_records (which
-- rescore_domains does) must not start another round.
CREATE TRIGGER domain_records_rescore_update AFTER UPDATE OF domain_type ON domain_records
  FOR EACH ROW WHEN (OLD.domain_type IS DISTINCT FROM NEW.domain_type)
  EXECUTE FUNCTION rescore_from_changed_domain_type();

-- A trigger with transition tables fires for one event only: hence one per event below.
CREATE TRIGGER pubky_domains_rescore_insert AFTER INSERT ON pubky_domains
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domains();
CREATE TRIGGER pubky_domains_rescore_update AFTER UPDATE ON pubky_domains
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domains();
CREATE TRIGGER pubky_domains_rescore_delete AFTER DELETE ON pubky_domains
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domains();

CREATE TRIGGER pkarr_records_rescore_insert AFTER INSERT ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();
CREATE TRIGGER pkarr_records_rescore_update AFTER UPDATE ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();
CREATE TRIGGER pkarr_records_rescore_delete AFTER DELETE ON pkarr_records
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();

CREATE TRIGGER pkarr_publications_rescore_insert AFTER INSERT ON pkarr_publications
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();
CREATE TRIGGER pkarr_publications_rescore_update AFTER UPDATE ON pkarr_publications
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();
CREATE TRIGGER pkarr_publications_rescore_delete AFTER DELETE ON pkarr_publications
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_pubky_domain_rows();

CREATE TRIGGER pubky_keypairs_rescore_update AFTER UPDATE ON pubky_keypairs
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_keypairs();

CREATE TRIGGER guardian_backups_rescore_insert AFTER INSERT ON guardian_backups
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_backups();
CREATE TRIGGER guardian_backups_rescore_update AFTER UPDATE ON guardian_backups
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_backups();
CREATE TRIGGER guardian_backups_rescore_delete AFTER DELETE ON guardian_backups
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_backups();

CREATE TRIGGER guardian_backup_shares_rescore_insert AFTER INSERT ON guardian_backup_shares
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_shares();
CREATE TRIGGER guardian_backup_shares_rescore_update AFTER UPDATE ON guardian_backup_shares
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_shares();
CREATE TRIGGER guardian_backup_shares_rescore_delete AFTER DELETE ON guardian_backup_shares
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_shares();

-- ─── Notifications ─────────────────────────────────────────────────────────────────────────
-- Small payloads (ids and what changed) on one channel per kind. Each carries a unique event
-- id: Postgres merges identical channel+payload pairs within a transaction.

CREATE SEQUENCE notification_event_seq;

CREATE FUNCTION notify_change(channel text, payload jsonb) RETURNS void
LANGUAGE sql AS $$
  SELECT pg_notify(channel, (payload || jsonb_build_object('eventId', nextval('notification_event_seq')))::text)
$$;

CREATE FUNCTION notify_pubky_domain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r pubky_domains;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM notify_change('pubky_domain_changes', jsonb_build_object(
    'op', lower(TG_OP), 'id', r.id, 'familyId', r.family_id, 'domainRecordId', r.domain_record_id,
    'publicKey', r.public_key, 'status', r.status));
  RETURN NULL;
END $$;
CREATE TRIGGER pubky_domains_notify AFTER INSERT OR UPDATE OR DELETE ON pubky_domains
  FOR EACH ROW EXECUTE FUNCTION notify_pubky_domain();

-- Packets and scores change in bulk (sync batches, re-scoring): their notifications are sent
-- by statement-level triggers in one set-based query, one per changed row.
CREATE FUNCTION notify_pkarr_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pkarr_record_changes', jsonb_build_object(
      'op', lower(TG_OP), 'pubkyDomainId', r.pubky_domain_id, 'packetTimestamp', r.packet_timestamp,
      'familyId', pd.family_id, 'eventId', nextval('notification_event_seq'))::text)
  FROM changed_rows r LEFT JOIN pubky_domains pd ON pd.id = r.pubky_domain_id;
  RETURN NULL;
END $$;
CREATE TRIGGER pkarr_records_notify_insert AFTER INSERT ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_pkarr_records();
CREATE TRIGGER pkarr_records_notify_update AFTER UPDATE ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_pkarr_records();
CREATE TRIGGER pkarr_records_notify_delete AFTER DELETE ON pkarr_records
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_pkarr_records();

CREATE FUNCTION notify_sovereignty_scores() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('sovereignty_score_changes', jsonb_build_object(
      'op', 'insert', 'domainRecordId', h.domain_record_id, 'score', h.score,
      'familyId', d.family_id, 'eventId', nextval('notification_event_seq'))::text)
  FROM new_rows h JOIN domain_records d ON d.id = h.domain_record_id;
  RETURN NULL;
END $$;
-- History rows are appended exactly when a score changes: one notification per change.
CREATE TRIGGER sovereignty_score_history_notify AFTER INSERT ON sovereignty_score_history
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_sovereignty_scores();

CREATE FUNCTION notify_domain_migration() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r domain_migrations;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM notify_change('domain_migration_changes', jsonb_build_object(
    'op', lower(TG_OP), 'id', r.id, 'familyId', r.family_id, 'domainRecordId', r.domain_record_id,
    'status', r.status, 'previousStatus', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END));
  RETURN NULL;
END $$;
CREATE TRIGGER domain_migrations_notify AFTER INSERT OR UPDATE OR DELETE ON domain_migrations
  FOR EACH ROW EXECUTE FUNCTION notify_domain_migration();

CREATE FUNCTION notify_guardian() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r federation_guardians;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM notify_change('guardian_changes', jsonb_build_object(
    'op', lower(TG_OP), 'guardianId', r.id, 'guardianUserId', r.user_id, 'familyId', r.family_id,
    'backupStatus', r.pubky_backup_status));
  RETURN NULL;
END $$;
CREATE TRIGGER federation_guardians_notify AFTER INSERT OR UPDATE OR DELETE ON federation_guardians
  FOR EACH ROW EXECUTE FUNCTION notify_guardian();

-- Guardians also hear about changes to the shares they hold and the domains they guard.
CREATE FUNCTION notify_guardian_share() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r guardian_backup_shares;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM notify_change('guardian_changes', jsonb_build_object(
    'op', lower(TG_OP), 'guardianId', r.guardian_id,
    'guardianUserId', (SELECT user_id FROM federation_guardians WHERE id = r.guardian_id),
    'familyId', (SELECT family_id FROM guardian_backups WHERE id = r.backup_id),
    'backupId', r.backup_id, 'acknowledged', r.acknowledged_at IS NOT NULL));
  RETURN NULL;
END $$;
CREATE TRIGGER guardian_backup_shares_notify AFTER INSERT OR UPDATE OR DELETE ON guardian_backup_shares
  FOR EACH ROW EXECUTE FUNCTION notify_guardian_share();
