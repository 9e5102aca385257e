-- The packet trigger's cost per 1,000-packet upsert (`npm run bench -- scores`) was ~0.8 of the
-- upsert's own, against a target of 0.5. Profiled per statement (perf, call graphs), four
-- fifths of it was the one query that finds each row's domain and decides the re-score, and
-- within it the largest parts were reading the domains' confirmations (an index scan, a
-- per-domain aggregate and a hash table, for every statement) and reading the domains
-- themselves. Four changes; no score, payload or feed row differs:
--
-- 1. A packet row bounds its domain's confirmations. `confirmed_timestamp_ceiling` is at least
--    the highest `confirmed_timestamp` among the domain's pkarr_publications (NULL: it has
--    none). A newer packet can only outdate a confirmation at or past the old packet's
--    timestamp, so when the ceiling is below it (or NULL) no confirmation is read at all; only
--    the rest are checked against pkarr_publications, one index probe each, as before. (A
--    packet moved back to an older timestamp, which only SQL does, is always checked.)
--    The ceiling only rises: a confirmation raises it (trigger below), a stored packet takes it
--    from the confirmations already there, and a deleted or lowered confirmation leaves it, so
--    it can be above the truth (a probe finds nothing) but never below it.
-- 2. Raising the ceiling is an UPDATE of pkarr_records, which fires the packet trigger (a
--    trigger with transition tables cannot be limited to columns). It changes nothing anyone
--    reads, so it runs with `pubky.raising_confirmation_ceiling` set for its transaction, and
--    the packet trigger returns at once when it is.
-- 3. The domain lookup reads an index holding what the trigger needs (family, domain record,
--    public key): a domain row rarely changes, so its pages are all-visible once vacuumed and
--    the lookup does not visit the table.
-- 4. Records are compared as bytes (record_image_eq) before the private addresses are counted:
--    jsonb equality walked both values. Equal bytes are equal records; unequal bytes with equal
--    meaning (the same numbers written differently) are counted, as before.
--
-- A race the ceiling does not close: a confirmation committed while its domain's packet row is
-- being inserted by another transaction (so neither sees the other) leaves the ceiling NULL;
-- the next newer packet then keeps a freshness it lost until the server's rescore_stale()
-- (every five minutes, for every score that claims freshness) re-scores it. It needs a
-- confirmation of a packet the row is only now storing: one published straight to the relay
-- while the app syncs it.

ALTER TABLE pkarr_records ADD COLUMN confirmed_timestamp_ceiling bigint;
COMMENT ON COLUMN pkarr_records.confirmed_timestamp_ceiling IS
  'At least the highest confirmed_timestamp among this domain''s pkarr_publications; NULL when '
  'it has none. Only rises. Lets the packet trigger skip reading confirmations a newer packet '
  'cannot outdate (migration 0025).';

CREATE INDEX pubky_domains_packet_lookup ON pubky_domains (id)
  INCLUDE (family_id, domain_record_id, public_key);

-- Confirmations raise their domains' ceilings.
CREATE FUNCTION raise_confirmation_ceiling() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('pubky.raising_confirmation_ceiling', 'on', true);
  UPDATE pkarr_records r SET confirmed_timestamp_ceiling = c.ceiling
  FROM (SELECT pubky_domain_id, max(confirmed_timestamp) AS ceiling
        FROM changed_rows GROUP BY pubky_domain_id) c
  WHERE r.pubky_domain_id = c.pubky_domain_id
    AND (r.confirmed_timestamp_ceiling IS NULL OR r.confirmed_timestamp_ceiling < c.ceiling);
  PERFORM set_config('pubky.raising_confirmation_ceiling', 'off', true);
  RETURN NULL;
END $$;
-- Named to fire before the re-score triggers (triggers fire in name order): a packet row being
-- rewritten by another transaction is waited for here, so the re-score then reads its new
-- timestamp.
CREATE TRIGGER pkarr_publications_ceiling_insert AFTER INSERT ON pkarr_publications
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_confirmation_ceiling();
CREATE TRIGGER pkarr_publications_ceiling_update AFTER UPDATE ON pkarr_publications
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION raise_confirmation_ceiling();

CREATE OR REPLACE FUNCTION pkarr_records_changed() RETURNS trigger
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
  IF current_setting('pubky.raising_confirmation_ceiling', true) = 'on' THEN
    RETURN NULL;
  END IF;
  SELECT count(*) INTO n FROM changed_rows;
  -- Statement triggers fire for zero rows too (every upsert fires the INSERT ones).
  IF n = 0 THEN
    RETURN NULL;
  END IF;

  -- A stored packet takes its ceiling from the confirmations its domain already has.
  IF TG_OP = 'INSERT' THEN
    PERFORM set_config('pubky.raising_confirmation_ceiling', 'on', true);
    UPDATE pkarr_records r SET confirmed_timestamp_ceiling = p.ceiling
    FROM (SELECT pubky_domain_id, max(confirmed_timestamp) AS ceiling FROM pkarr_publications
          WHERE pubky_domain_id = ANY (ARRAY(SELECT pubky_domain_id FROM changed_rows))
          GROUP BY pubky_domain_id) p
    WHERE r.pubky_domain_id = p.pubky_domain_id;
    PERFORM set_config('pubky.raising_confirmation_ceiling', 'off', true);
  END IF;

  IF n = 1 THEN
    SELECT r.pubky_domain_id, r.packet_timestamp, r.records, r.stored_at,
           pd.family_id, pd.domain_record_id, pd.public_key
    INTO one
    FROM changed_rows r LEFT JOIN pubky_domains pd ON pd.id = r.pubky_domain_id;
    -- 1. Re-score what the change moves. A packet stored or removed moves its domain's score
    -- (removed with its domain, there is nothing left to score). A new packet moves it only if it
    -- changes how many private addresses are published, or if a confirmation in the last 24
    -- hours confirmed the old packet but not the new one (or, for an older packet, the reverse);
    -- a newer packet needs no look at the confirmations when none reaches the old one (0025).
    -- (old_rows exists only in UPDATE triggers: its query stays in a branch of its own.)
    IF one.domain_record_id IS NULL THEN
      NULL;
    ELSIF TG_OP <> 'UPDATE' THEN
      PERFORM rescore_domains(ARRAY[one.domain_record_id]);
    ELSIF EXISTS (
        SELECT 1
        FROM changed_rows c
        JOIN old_rows o USING (pubky_domain_id)
        WHERE (NOT record_image_eq(ROW(c.records), ROW(o.records))
               AND private_address_count(c.records) <> private_address_count(o.records))
           OR (c.packet_timestamp <> o.packet_timestamp
               AND coalesce(c.packet_timestamp < o.packet_timestamp
                            OR o.confirmed_timestamp_ceiling >= o.packet_timestamp, false)
               AND EXISTS (
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
  -- group is re-scored, then published (0016). Confirmations are probed only for the rows whose
  -- ceiling reaches the old timestamp (0025).
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
          (NOT record_image_eq(ROW(c.records), ROW(o.records))
           AND private_address_count(c.records) <> private_address_count(o.records))
          OR (c.packet_timestamp <> o.packet_timestamp
              AND coalesce(c.packet_timestamp < o.packet_timestamp
                           OR o.confirmed_timestamp_ceiling >= o.packet_timestamp, false)
              AND EXISTS (
                SELECT 1 FROM pkarr_publications q
                WHERE q.pubky_domain_id = c.pubky_domain_id
                  AND q.confirmed_at > now() - interval '24 hours'
                  AND q.confirmed_timestamp >= least(o.packet_timestamp, c.packet_timestamp)
                  AND q.confirmed_timestamp < greatest(o.packet_timestamp, c.packet_timestamp))))
        ) AS rescore
      FROM changed_rows c
      JOIN old_rows o USING (pubky_domain_id)
      LEFT JOIN (SELECT p.id, p.family_id, p.domain_record_id, p.public_key FROM pubky_domains p
                 WHERE p.id = ANY (ARRAY(SELECT pubky_domain_id FROM changed_rows))) pd
        ON pd.id = c.pubky_domain_id
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

-- The packets already stored take their ceilings (the flag keeps this from reading as a change).
SELECT set_config('pubky.raising_confirmation_ceiling', 'on', true);
UPDATE pkarr_records r SET confirmed_timestamp_ceiling = p.ceiling
FROM (SELECT pubky_domain_id, max(confirmed_timestamp) AS ceiling
      FROM pkarr_publications GROUP BY pubky_domain_id) p
WHERE r.pubky_domain_id = p.pubky_domain_id;
SELECT set_config('pubky.raising_confirmation_ceiling', 'off', true);
