-- The feed triggers on pkarr_records and sovereignty_score_history (the two written in bulk)
-- built every event as JSON, aggregated them into one array, and feed_append() unpacked that
-- array again; each NOTIFY payload was then serialised twice (once to measure it). Here they
-- insert straight from the statement's transition table and every payload is serialised once.
-- Same events, same order, same lock (0005), same payloads.

-- Sends the events [first, last] just appended by this transaction, in seq order. The caller
-- holds the feed lock, so no other writer's event lies in that range.
CREATE FUNCTION feed_notify_range(first_seq bigint, last_seq bigint) RETURNS void
LANGUAGE sql AS $$
  -- NOTIFY payloads must stay under 8000 bytes: a large event goes out without its data, and
  -- the server reads that one from the log.
  SELECT count(pg_notify('feed_events', CASE
      WHEN octet_length(payload) > 7900 THEN jsonb_build_object(
        'seq', seq, 'familyId', family_id, 'kind', kind, 'entity', entity, 'compact', true)::text
      ELSE payload END))
  FROM (SELECT seq, family_id, kind, entity, jsonb_build_object(
          'seq', seq, 'familyId', family_id, 'kind', kind, 'entity', entity, 'data', data)::text AS payload
        FROM feed_events WHERE seq BETWEEN first_seq AND last_seq ORDER BY seq) a
$$;

CREATE OR REPLACE FUNCTION feed_append(events jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  first_seq bigint;
  last_seq bigint;
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
    RETURNING seq
  )
  SELECT min(seq), max(seq) INTO first_seq, last_seq FROM appended;
  IF first_seq IS NOT NULL THEN
    PERFORM feed_notify_range(first_seq, last_seq);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION feed_pkarr_records() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  first_seq bigint;
  last_seq bigint;
BEGIN
  -- Statement triggers fire for zero rows too: no lock for those.
  IF NOT EXISTS (SELECT 1 FROM changed_rows) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(7461736);
  WITH appended AS (
    INSERT INTO feed_events (family_id, kind, entity, data)
    SELECT pd.family_id, 'pkarr_record_event',
      jsonb_build_object('pubkyDomainId', pd.id, 'domainRecordId', pd.domain_record_id, 'publicKey', pd.public_key),
      jsonb_build_object('op', lower(TG_OP), 'pubkyDomainId', pd.id, 'packetTimestamp', r.packet_timestamp,
                         'records', r.records, 'storedAt', r.stored_at)
    FROM changed_rows r JOIN pubky_domains pd ON pd.id = r.pubky_domain_id
    ORDER BY r.pubky_domain_id
    RETURNING seq
  )
  SELECT min(seq), max(seq) INTO first_seq, last_seq FROM appended;
  IF first_seq IS NOT NULL THEN
    PERFORM feed_notify_range(first_seq, last_seq);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION feed_scores() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  first_seq bigint;
  last_seq bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(7461736);
  WITH appended AS (
    INSERT INTO feed_events (family_id, kind, entity, data)
    SELECT d.family_id, 'sovereignty_score_event',
      jsonb_build_object('domainRecordId', h.domain_record_id, 'pubkyDomainId', pd.id, 'publicKey', pd.public_key),
      -- The score, not its breakdown: a bulk re-score must not push 10,000 breakdowns through
      -- NOTIFY; apps read the reasons from GET /domains/:id/score when they show them.
      jsonb_build_object('domainRecordId', h.domain_record_id, 'score', h.score, 'computedAt', h.computed_at)
    FROM new_rows h JOIN domain_records d ON d.id = h.domain_record_id
    LEFT JOIN pubky_domains pd ON pd.domain_record_id = h.domain_record_id
    ORDER BY h.id
    RETURNING seq
  )
  SELECT min(seq), max(seq) INTO first_seq, last_seq FROM appended;
  IF first_seq IS NOT NULL THEN
    PERFORM feed_notify_range(first_seq, last_seq);
  END IF;
  RETURN NULL;
END $$;
