-- 0012 sent each appended event's NOTIFY from feed_notify_range(), which read the events back
-- by seq in a second statement through a SQL function. Under the feed benchmark's 1,000 single-row
-- changes a second that read-back, not inlined and planned apart from the insert, let the writers
-- fall behind by seconds (p99 3–4 s against 79–192 ms before it). Here every append sends its
-- notifications from the rows its own INSERT returns, in the same statement, as 0005 did; the
-- bulk triggers keep inserting straight from their transition tables (0012) and each payload is
-- still serialised once.

CREATE OR REPLACE FUNCTION feed_append(events jsonb) RETURNS void
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
  SELECT count(pg_notify('feed_events', feed_payload(seq, family_id, kind, entity, data)))
  FROM (SELECT * FROM appended ORDER BY seq) a
  INTO sent;
END $$;

-- One event's NOTIFY payload. Payloads must stay under 8000 bytes: a large event goes out
-- without its data, and the server reads that one from the log. In PL/pgSQL: a SQL function
-- with a FROM is not inlined and costs about twice as much a call (measured, 100,000 rows).
CREATE FUNCTION feed_payload(seq bigint, family_id uuid, kind text, entity jsonb, data jsonb)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  full_event text := jsonb_build_object('seq', seq, 'familyId', family_id, 'kind', kind,
                                        'entity', entity, 'data', data)::text;
BEGIN
  IF octet_length(full_event) > 7900 THEN
    RETURN jsonb_build_object('seq', seq, 'familyId', family_id, 'kind', kind, 'entity', entity,
                              'compact', true)::text;
  END IF;
  RETURN full_event;
END $$;

CREATE OR REPLACE FUNCTION feed_pkarr_records() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sent bigint;
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
    RETURNING seq, family_id, kind, entity, data
  )
  SELECT count(pg_notify('feed_events', feed_payload(seq, family_id, kind, entity, data)))
  FROM (SELECT * FROM appended ORDER BY seq) a
  INTO sent;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION feed_scores() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sent bigint;
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
    RETURNING seq, family_id, kind, entity, data
  )
  SELECT count(pg_notify('feed_events', feed_payload(seq, family_id, kind, entity, data)))
  FROM (SELECT * FROM appended ORDER BY seq) a
  INTO sent;
  RETURN NULL;
END $$;

DROP FUNCTION feed_notify_range(bigint, bigint);
