-- Per 1,000-packet upsert the packet triggers cost about as much as the upsert itself, and per
-- one-packet upsert about half of it. Profiled (perf, per statement), the cost was:
--
-- * Rows looked up one at a time, twice. The publisher fetched each row's domain by primary key
--   (1,000 index descents) and the re-score probed pkarr_publications once per row (a bitmap
--   scan each) for a confirmation between the old and the new timestamp, each in a pass of its
--   own. Now one query does both for a many-row statement: one index scan fetches the changed
--   domains (`id = ANY (...)`), one the recent confirmations, hash joins match them, and the
--   rows are grouped per family with the ids each group must re-score.
-- * Plans fixed at their first run. PL/pgSQL keeps a query's plan for the session, and a plan
--   made for the statement that came first (often one row: nested loops) served every later
--   one. The many-row query is planned with hash joins and hash grouping only, which suit any
--   row count; a one-row statement has queries of its own, planned for one row.
-- * Grouping sorted every row (to return the families in order, which nothing needs).
-- * Statement overhead on the one-row path: six trigger functions fired per upsert (an upsert
--   fires the INSERT triggers too, with no rows), ~12 SPI statements and two nested calls in all.
--   One function per event now does the re-score and the publishing in ~5 statements.
-- * The `pkarr_record_changes` payloads were built as jsonb (~1 µs an id); now as text.
--
-- A stored packet is signed by its domain's key, so moving a row to another domain was never
-- valid; it is now refused, and old and new rows of an UPDATE pair up by key (an inner join).
-- Order is kept: a group's re-score runs before its feed append (0009), and a score that moves
-- gets its event just before the packet's. Payloads and feed rows are unchanged.

CREATE FUNCTION refuse_packet_domain_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a stored packet belongs to its domain: pkarr_records.pubky_domain_id cannot be updated'
    USING ERRCODE = 'check_violation';
END $$;
-- Per statement, and only when the statement sets the column (an upsert's SET does not).
CREATE TRIGGER pkarr_records_domain_is_fixed BEFORE UPDATE OF pubky_domain_id ON pkarr_records
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_packet_domain_change();

CREATE FUNCTION pkarr_record_changes_payload(op text, family_id uuid, ids uuid[], timestamps bigint[],
                                             event_id bigint)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT concat('{"op":"', op, '","familyId":', coalesce('"' || family_id || '"', 'null'),
                ',"pubkyDomainIds":["', array_to_string(ids, '","'),
                '"],"packetTimestamps":[', array_to_string(timestamps, ','),
                '],"eventId":', event_id, '}')
$$;

CREATE FUNCTION pkarr_records_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  op text := lower(TG_OP);
  one record;
  g record;
  first_seq bigint;
  entity jsonb;
  data jsonb;
  groups refcursor;
  merge_joins text;
  nested_loops text;
  sorts text;
BEGIN
  SELECT count(*) INTO n FROM changed_rows;
  -- Statement triggers fire for zero rows too (every upsert fires the INSERT ones).
  IF n = 0 THEN
    RETURN NULL;
  END IF;

  IF n = 1 THEN
    SELECT r.pubky_domain_id, r.packet_timestamp, r.records, r.stored_at,
           pd.family_id, pd.domain_record_id, pd.public_key
    INTO one
    FROM changed_rows r LEFT JOIN pubky_domains pd ON pd.id = r.pubky_domain_id;
    -- 1. Re-score what the change moves. A packet stored or removed moves its domain's score
    -- (removed with its domain, there is nothing left to score). A new packet moves it only if it
    -- changes how many private addresses are published, or if a confirmation in the last 24
    -- hours confirmed the old packet but not the new one (or, for an older packet, the reverse).
    -- (old_rows exists only in UPDATE triggers: its query stays in a branch of its own.)
    IF one.domain_record_id IS NULL THEN
      NULL;
    ELSIF TG_OP <> 'UPDATE' THEN
      PERFORM rescore_domains(ARRAY[one.domain_record_id]);
    ELSIF EXISTS (
        SELECT 1
        FROM changed_rows c
        JOIN old_rows o USING (pubky_domain_id)
        WHERE (c.records IS DISTINCT FROM o.records
               AND private_address_count(c.records) <> private_address_count(o.records))
           OR (c.packet_timestamp <> o.packet_timestamp AND EXISTS (
                 SELECT 1 FROM pkarr_publications p
                 WHERE p.pubky_domain_id = c.pubky_domain_id
                   AND p.confirmed_at > now() - interval '24 hours'
                   AND p.confirmed_timestamp >= least(o.packet_timestamp, c.packet_timestamp)
                   AND p.confirmed_timestamp < greatest(o.packet_timestamp, c.packet_timestamp))))
    THEN
      PERFORM rescore_domains(ARRAY[one.domain_record_id]);
    END IF;

    -- 2. Publish: `pkarr_record_changes`, and for a stored packet the event in full (0016).
    IF TG_OP = 'DELETE' THEN
      PERFORM pg_notify('pkarr_record_changes', pkarr_record_changes_payload(op, one.family_id,
        ARRAY[one.pubky_domain_id], ARRAY[one.packet_timestamp], nextval('notification_event_seq')));
      RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(7461736);
    entity := jsonb_build_object('pubkyDomainId', one.pubky_domain_id,
                                 'domainRecordId', one.domain_record_id, 'publicKey', one.public_key);
    data := jsonb_build_object('op', op, 'pubkyDomainId', one.pubky_domain_id,
                               'packetTimestamp', one.packet_timestamp, 'records', one.records,
                               'storedAt', one.stored_at);
    INSERT INTO feed_events (family_id, kind, entity, data)
    VALUES (one.family_id, 'pkarr_record_event', entity, data)
    RETURNING seq INTO first_seq;
    PERFORM pg_notify('pkarr_record_changes', pkarr_record_changes_payload(op, one.family_id,
              ARRAY[one.pubky_domain_id], ARRAY[one.packet_timestamp], nextval('notification_event_seq'))),
            pg_notify('feed_events', feed_payload(first_seq, one.family_id, 'pkarr_record_event', entity, data));
    RETURN NULL;
  END IF;

  -- Many rows: one query finds each row's domain and whether it moves the score (the same
  -- rules), grouped per family (hashed, in no particular order: ordering sorted every row); each
  -- group is re-scored, then published (0016). The recent confirmations come one row per domain
  -- (first, last, how many), so the join adds no rows; a domain's confirmations are read one by
  -- one only when the range lies strictly between its first and last and there is a third.
  --
  -- Planned for hashing only. The planner takes each id list for 10 rows (it cannot know more)
  -- and, for the row count of the statement that first runs it in a session, might choose to
  -- sort for merge joins and grouping or to loop over index lookups; the plan is kept for the
  -- session. Joins and grouping by hash suit any number of rows. Planning happens at OPEN.
  merge_joins := current_setting('enable_mergejoin');
  nested_loops := current_setting('enable_nestloop');
  sorts := current_setting('enable_sort');
  PERFORM set_config('enable_mergejoin', 'off', true), set_config('enable_nestloop', 'off', true),
          set_config('enable_sort', 'off', true);
  IF TG_OP = 'UPDATE' THEN
    OPEN groups FOR
      SELECT pd.family_id, array_agg(c.pubky_domain_id) AS ids, array_agg(pd.domain_record_id) AS record_ids,
        array_agg(pd.public_key::text) AS keys, array_agg(c.packet_timestamp) AS timestamps,
        array_agg(c.records) AS records, array_agg(c.stored_at) AS stored,
        array_agg(pd.domain_record_id) FILTER (WHERE pd.id IS NOT NULL AND (
          (c.records IS DISTINCT FROM o.records
           AND private_address_count(c.records) <> private_address_count(o.records))
          OR (p.first_ts < greatest(o.packet_timestamp, c.packet_timestamp)
              AND p.last_ts >= least(o.packet_timestamp, c.packet_timestamp)
              AND (p.first_ts >= least(o.packet_timestamp, c.packet_timestamp)
                   OR p.last_ts < greatest(o.packet_timestamp, c.packet_timestamp)
                   OR (p.confirmations > 2 AND EXISTS (
                         SELECT 1 FROM pkarr_publications q
                         WHERE q.pubky_domain_id = c.pubky_domain_id
                           AND q.confirmed_at > now() - interval '24 hours'
                           AND q.confirmed_timestamp >= least(o.packet_timestamp, c.packet_timestamp)
                           AND q.confirmed_timestamp < greatest(o.packet_timestamp, c.packet_timestamp))))))
        ) AS rescore
      FROM changed_rows c
      JOIN old_rows o USING (pubky_domain_id)
      LEFT JOIN (SELECT p.id, p.family_id, p.domain_record_id, p.public_key FROM pubky_domains p
                 WHERE p.id = ANY (ARRAY(SELECT pubky_domain_id FROM changed_rows))) pd
        ON pd.id = c.pubky_domain_id
      LEFT JOIN (SELECT p.pubky_domain_id, min(p.confirmed_timestamp) AS first_ts,
                        max(p.confirmed_timestamp) AS last_ts, count(*) AS confirmations
                 FROM pkarr_publications p
                 WHERE p.pubky_domain_id = ANY (ARRAY(SELECT pubky_domain_id FROM changed_rows))
                   AND p.confirmed_at > now() - interval '24 hours'
                 GROUP BY p.pubky_domain_id) p
        ON p.pubky_domain_id = c.pubky_domain_id
      GROUP BY pd.family_id;
  ELSE
    OPEN groups FOR
      SELECT pd.family_id, array_agg(c.pubky_domain_id) AS ids, array_agg(pd.domain_record_id) AS record_ids,
        array_agg(pd.public_key::text) AS keys, array_agg(c.packet_timestamp) AS timestamps,
        array_agg(c.records) AS records, array_agg(c.stored_at) AS stored,
        array_agg(pd.domain_record_id) FILTER (WHERE pd.id IS NOT NULL) AS rescore
      FROM changed_rows c
      -- A delete cascading from its domain finds no domain: notified without a family.
      LEFT JOIN (SELECT p.id, p.family_id, p.domain_record_id, p.public_key FROM pubky_domains p
                 WHERE p.id = ANY (ARRAY(SELECT pubky_domain_id FROM changed_rows))) pd
        ON pd.id = c.pubky_domain_id
      GROUP BY pd.family_id;
  END IF;
  PERFORM set_config('enable_mergejoin', merge_joins, true), set_config('enable_nestloop', nested_loops, true),
          set_config('enable_sort', sorts, true);
  LOOP
    FETCH groups INTO g;
    EXIT WHEN NOT FOUND;
    IF cardinality(g.rescore) > 0 THEN
      PERFORM rescore_domains(g.rescore);
    END IF;
    IF TG_OP <> 'DELETE' THEN
      -- Taken again per group: a no-op once held (re-scoring a later group under it is rare).
      PERFORM pg_advisory_xact_lock(7461736);
    END IF;
    n := cardinality(g.ids);
    FOR i IN 1..n BY 100 LOOP
      PERFORM pg_notify('pkarr_record_changes', pkarr_record_changes_payload(op, g.family_id,
                g.ids[i:i + 99], g.timestamps[i:i + 99], nextval('notification_event_seq')));
    END LOOP;
    CONTINUE WHEN TG_OP = 'DELETE';
    -- A family's group of one is stored as one event, like a one-row statement's.
    IF n = 1 THEN
      entity := jsonb_build_object('pubkyDomainId', g.ids[1], 'domainRecordId', g.record_ids[1],
                                   'publicKey', g.keys[1]);
      data := jsonb_build_object('op', op, 'pubkyDomainId', g.ids[1],
                                 'packetTimestamp', g.timestamps[1], 'records', g.records[1],
                                 'storedAt', g.stored[1]);
      INSERT INTO feed_events (family_id, kind, entity, data)
      VALUES (g.family_id, 'pkarr_record_event', entity, data)
      RETURNING seq INTO first_seq;
      PERFORM pg_notify('feed_events', feed_payload(first_seq, g.family_id, 'pkarr_record_event', entity, data));
      CONTINUE;
    END IF;
    -- The group's events in one row owning seqs first_seq..first_seq + n - 1 (0016).
    first_seq := nextval('feed_events_seq_seq'::regclass);
    PERFORM setval('feed_events_seq_seq'::regclass, first_seq + n - 1);
    INSERT INTO feed_events (seq, last_seq, family_id, kind, packet_op, pubky_domain_ids,
                             domain_record_ids, public_keys, packet_timestamps, packet_records, stored_ats)
    OVERRIDING SYSTEM VALUE
    VALUES (first_seq, first_seq + n - 1, g.family_id, 'pkarr_record_event', op, g.ids,
            g.record_ids, g.keys, g.timestamps, g.records, g.stored);
    PERFORM pg_notify('feed_events', jsonb_build_object(
      'seq', first_seq, 'lastSeq', first_seq + n - 1, 'familyId', g.family_id,
      'kind', 'pkarr_record_event', 'compact', true)::text);
  END LOOP;
  CLOSE groups;
  RETURN NULL;
END $$;

DROP TRIGGER pkarr_records_evidence_rescore_insert ON pkarr_records;
DROP TRIGGER pkarr_records_evidence_rescore_update ON pkarr_records;
DROP TRIGGER pkarr_records_evidence_rescore_delete ON pkarr_records;
DROP TRIGGER pkarr_records_publish_insert ON pkarr_records;
DROP TRIGGER pkarr_records_publish_update ON pkarr_records;
DROP TRIGGER pkarr_records_publish_delete ON pkarr_records;
DROP FUNCTION rescore_from_packet_updates();
DROP FUNCTION publish_pkarr_record_changes();

CREATE TRIGGER pkarr_records_changed_insert AFTER INSERT ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION pkarr_records_changed();
CREATE TRIGGER pkarr_records_changed_update AFTER UPDATE ON pkarr_records
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pkarr_records_changed();
CREATE TRIGGER pkarr_records_changed_delete AFTER DELETE ON pkarr_records
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION pkarr_records_changed();
