-- The live feed's event log: every change a family's apps and guardians may see, numbered in
-- commit order. Writers take a transaction-level advisory lock before appending, so a smaller
-- seq always commits first and a client resuming "since <seq>" can never skip a late commit.
-- Each appended event is also sent on the `feed_events` channel.

CREATE TABLE feed_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  family_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('pubky_domain_event', 'pkarr_record_event', 'sovereignty_score_event',
                                     'domain_migration_event', 'guardian_event')),
  -- Ids the feed routes on: pubkyDomainId, domainRecordId, publicKey, migrationId, guardianUserId.
  entity jsonb NOT NULL,
  -- The row's current state (small: ids, statuses, timestamps, scores).
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feed_events_family ON feed_events (family_id, seq);
CREATE INDEX feed_events_created ON feed_events (created_at);

-- Appends events (a set of rows) and notifies, holding the feed lock until commit.
CREATE FUNCTION feed_append(events jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  sent bigint;
BEGIN
  IF jsonb_array_length(events) = 0 THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(7461736);
  WITH appended AS (
    INSERT INTO feed_events (family_id, kind, entity, data)
    SELECT (e ->> 'familyId')::uuid, e ->> 'kind', e -> 'entity', e -> 'data'
    FROM jsonb_array_elements(events) e
    WHERE e ->> 'familyId' IS NOT NULL
    RETURNING seq, family_id, kind, entity, data
  )
  -- NOTIFY payloads must stay under 8000 bytes: a large event goes out without its data, and
  -- the server reads that one from the log.
  SELECT count(pg_notify('feed_events', CASE
      WHEN octet_length(full_event::text) > 7900 THEN jsonb_build_object(
        'seq', seq, 'familyId', family_id, 'kind', kind, 'entity', entity, 'compact', true)::text
      ELSE full_event::text END))
  FROM (SELECT seq, family_id, kind, entity, jsonb_build_object(
          'seq', seq, 'familyId', family_id, 'kind', kind, 'entity', entity, 'data', data) AS full_event
        FROM appended ORDER BY seq) a
  INTO sent;
END $$;

CREATE FUNCTION feed_pubky_domains() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_append(coalesce((SELECT jsonb_agg(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'pubky_domain_event',
    'entity', jsonb_build_object('pubkyDomainId', r.id, 'domainRecordId', r.domain_record_id, 'publicKey', r.public_key),
    'data', jsonb_build_object('op', lower(TG_OP), 'id', r.id, 'publicKey', r.public_key, 'pubkyUrl', r.pubky_url,
                               'status', r.status, 'homeserverSelfHosted', r.homeserver_self_hosted)))
    FROM changed_rows r), '[]'));
  RETURN NULL;
END $$;
CREATE TRIGGER pubky_domains_feed_insert AFTER INSERT ON pubky_domains
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_pubky_domains();
CREATE TRIGGER pubky_domains_feed_update AFTER UPDATE ON pubky_domains
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_pubky_domains();
CREATE TRIGGER pubky_domains_feed_delete AFTER DELETE ON pubky_domains
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_pubky_domains();

CREATE FUNCTION feed_pkarr_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_append(coalesce((SELECT jsonb_agg(jsonb_build_object(
    'familyId', pd.family_id, 'kind', 'pkarr_record_event',
    'entity', jsonb_build_object('pubkyDomainId', pd.id, 'domainRecordId', pd.domain_record_id, 'publicKey', pd.public_key),
    'data', jsonb_build_object('op', lower(TG_OP), 'pubkyDomainId', pd.id, 'packetTimestamp', r.packet_timestamp,
                               'records', r.records, 'storedAt', r.stored_at)) ORDER BY r.pubky_domain_id)
    FROM changed_rows r JOIN pubky_domains pd ON pd.id = r.pubky_domain_id), '[]'));
  RETURN NULL;
END $$;
CREATE TRIGGER pkarr_records_feed_insert AFTER INSERT ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_pkarr_records();
CREATE TRIGGER pkarr_records_feed_update AFTER UPDATE ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_pkarr_records();

CREATE FUNCTION feed_scores() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM feed_append(coalesce((SELECT jsonb_agg(jsonb_build_object(
    'familyId', d.family_id, 'kind', 'sovereignty_score_event',
    'entity', jsonb_build_object('domainRecordId', h.domain_record_id, 'pubkyDomainId', pd.id, 'publicKey', pd.public_key),
    -- The score, not its breakdown: a bulk re-score must not push 10,000 breakdowns through
    -- NOTIFY; apps read the reasons from GET /domains/:id/score when they show them.
    'data', jsonb_build_object('domainRecordId', h.domain_record_id, 'score', h.score,
                               'computedAt', h.computed_at)) ORDER BY h.id)
    FROM new_rows h JOIN domain_records d ON d.id = h.domain_record_id
    LEFT JOIN pubky_domains pd ON pd.domain_record_id = h.domain_record_id), '[]'));
  RETURN NULL;
END $$;
CREATE TRIGGER sovereignty_score_history_feed AFTER INSERT ON sovereignty_score_history
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_scores();

CREATE FUNCTION feed_domain_migrations() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r domain_migrations;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'domain_migration_event',
    'entity', jsonb_build_object('migrationId', r.id, 'domainRecordId', r.domain_record_id),
    'data', jsonb_build_object('op', lower(TG_OP), 'id', r.id, 'domainRecordId', r.domain_record_id,
                               'direction', r.direction, 'status', r.status, 'error', r.error, 'updatedAt', r.updated_at))));
  RETURN NULL;
END $$;
CREATE TRIGGER domain_migrations_feed AFTER INSERT OR UPDATE OR DELETE ON domain_migrations
  FOR EACH ROW EXECUTE FUNCTION feed_domain_migrations();

CREATE FUNCTION feed_guardians() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r federation_guardians;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM feed_append(jsonb_build_array(jsonb_build_object(
    'familyId', r.family_id, 'kind', 'guardian_event',
    'entity', jsonb_build_object('guardianUserId', r.user_id, 'guardianId', r.id),
    'data', jsonb_build_object('op', lower(TG_OP), 'guardianId', r.id, 'backupStatus', r.pubky_backup_status,
                               'backupUpdatedAt', r.pubky_backup_last_updated))));
  RETURN NULL;
END $$;
CREATE TRIGGER federation_guardians_feed AFTER INSERT OR UPDATE OR DELETE ON federation_guardians
  FOR EACH ROW EXECUTE FUNCTION feed_guardians();

CREATE FUNCTION feed_guardian_shares() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r guardian_backup_shares;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  PERFORM feed_append(coalesce((SELECT jsonb_agg(jsonb_build_object(
    'familyId', b.family_id, 'kind', 'guardian_event',
    'entity', jsonb_build_object('guardianUserId', g.user_id, 'guardianId', g.id, 'backupId', b.id),
    'data', jsonb_build_object('op', lower(TG_OP), 'backupId', b.id, 'threshold', b.threshold,
                               'acknowledged', r.acknowledged_at IS NOT NULL)))
    FROM guardian_backups b JOIN federation_guardians g ON g.id = r.guardian_id WHERE b.id = r.backup_id), '[]'));
  RETURN NULL;
END $$;
CREATE TRIGGER guardian_backup_shares_feed AFTER INSERT OR UPDATE OR DELETE ON guardian_backup_shares
  FOR EACH ROW EXECUTE FUNCTION feed_guardian_shares();
