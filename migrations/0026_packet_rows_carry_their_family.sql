-- The packet trigger's cost per 1,000-packet upsert (`npm run bench -- scores`) was still ~0.52
-- of the upsert's own against a target of 0.5. About a third of it went to finding every changed
-- row's domain (an index probe and a hash table per row) for three things: the family the events
-- are grouped by, and the domain record id and public key copied into each event of the feed
-- row (two more arrays to build and write). None of them needs a lookup per packet:
--
-- 1. A packet row carries its family. The writer knows it (it has just locked the domain to
--    check the uploader's role), and a foreign key on (domain, family) to pubky_domains keeps it
--    true: a wrong family is refused. It replaces the old foreign key on the domain alone.
-- 2. A statement's feed row (0016) no longer copies each domain's record id and public key: a
--    domain's family, record id and key never change (a new trigger refuses an update of them;
--    nothing ever made one, and its keypair and record belong to the family), so the reader
--    finds them from the ids, as it already reads the rows themselves. A domain
--    deleted before its events are read leaves a tombstone with both (pubky_domain_tombstones,
--    kept as long as the feed keeps events), so the events read stay identical to the ones a
--    one-row statement stores. Rows written before this migration keep their copies.
-- 3. Only the domains to re-score are looked up, for their record ids: every stored or removed
--    packet, and a new packet only when it moves the score (as before) — none, for a newer
--    packet with the same records that no confirmation reaches.
--
-- Measured (same bench, paired): the trigger costs ~0.3 of the upsert instead of ~0.52, about
-- 35% less time; the writer's statement, now naming each packet's family, takes ~9% longer.
--
-- Also: a packet row deleted with its domain now names its family in `pkarr_record_changes`
-- (there was no domain left to find it from, so it was sent without one).

ALTER TABLE pubky_domains
  ADD CONSTRAINT pubky_domains_id_family_key UNIQUE (id, family_id) INCLUDE (domain_record_id, public_key);
-- The unique index above holds all that 0025's lookup index did (it leads with the id).
DROP INDEX pubky_domains_packet_lookup;

-- A domain's identity is fixed: events keep only its id and are read with the rest later.
CREATE FUNCTION refuse_pubky_domain_identity_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.family_id, NEW.domain_record_id, NEW.public_key)
     IS DISTINCT FROM (OLD.family_id, OLD.domain_record_id, OLD.public_key) THEN
    RAISE EXCEPTION 'a Pubky domain''s family, record and public key cannot change; delete it and create another'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER pubky_domains_identity_is_fixed
  BEFORE UPDATE OF family_id, domain_record_id, public_key ON pubky_domains
  FOR EACH ROW EXECUTE FUNCTION refuse_pubky_domain_identity_change();

ALTER TABLE pkarr_records ADD COLUMN family_id uuid;
-- Filling the column is no packet change: no event, no re-score.
ALTER TABLE pkarr_records DISABLE TRIGGER pkarr_records_changed_update;
UPDATE pkarr_records r SET family_id = d.family_id FROM pubky_domains d WHERE d.id = r.pubky_domain_id;
ALTER TABLE pkarr_records ENABLE TRIGGER pkarr_records_changed_update;
ALTER TABLE pkarr_records
  ALTER COLUMN family_id SET NOT NULL,
  DROP CONSTRAINT pkarr_records_pubky_domain_id_fkey,
  ADD CONSTRAINT pkarr_records_domain_of_family FOREIGN KEY (pubky_domain_id, family_id)
    REFERENCES pubky_domains (id, family_id) ON DELETE CASCADE;
COMMENT ON COLUMN pkarr_records.family_id IS
  'The family of the domain (pubky_domains.family_id, kept so by the foreign key): the packet '
  'trigger groups events per family without looking each domain up (migration 0026).';

-- What the feed's reader needs of a domain deleted before it read the domain's events.
CREATE TABLE pubky_domain_tombstones (
  id uuid PRIMARY KEY,
  domain_record_id uuid NOT NULL,
  public_key text NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pubky_domain_tombstones IS
  'Deleted Pubky domains'' record ids and public keys, for reading feed events stored before the '
  'deletion (packet batch rows keep only domain ids, migration 0026). Pruned with the feed.';
CREATE FUNCTION remember_deleted_pubky_domains() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pubky_domain_tombstones (id, domain_record_id, public_key)
  SELECT id, domain_record_id, public_key FROM deleted_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER pubky_domains_tombstones AFTER DELETE ON pubky_domains
  REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION remember_deleted_pubky_domains();

-- The record ids and keys of a packet batch row's domains, event i at index i, as JSON arrays.
CREATE FUNCTION packet_batch_identities(ids uuid[]) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'domainRecordIds', jsonb_agg(coalesce(d.domain_record_id, t.domain_record_id) ORDER BY u.i),
    'publicKeys', jsonb_agg(coalesce(d.public_key::text, t.public_key) ORDER BY u.i))
  FROM unnest(ids) WITH ORDINALITY AS u(id, i)
  LEFT JOIN pubky_domains d ON d.id = u.id
  LEFT JOIN pubky_domain_tombstones t ON d.id IS NULL AND t.id = u.id
$$;
COMMENT ON COLUMN feed_events.public_keys IS
  'For a packet batch row: NULL since migration 0026, as is domain_record_ids (read them with '
  'packet_batch_identities(pubky_domain_ids)). For a score batch row: each event''s key.';

CREATE OR REPLACE FUNCTION pkarr_records_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  op text := lower(TG_OP);
  one record;
  g record;
  first_seq bigint;
  record_id uuid;
  key text;
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

  -- A stored packet takes its ceiling from the confirmations its domain already has (0025).
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
    SELECT r.pubky_domain_id, r.family_id, r.packet_timestamp, r.records, r.stored_at,
           pd.domain_record_id, pd.public_key
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

  -- Many rows: one query groups them per family (hashed, in no particular order: ordering sorted
  -- every row) and, for an update, picks the domains whose score the new packet moves (the same
  -- rules); no domain is looked up (0026). Each group is re-scored, then published (0016).
  --
  -- Planned for hashing only. The planner takes each transition table for the row count of the
  -- statement that first runs it in a session and might choose to sort for a merge join and for
  -- grouping; the plan is kept for the session. Joins and grouping by hash suit any number of
  -- rows. Planning happens at OPEN.
  merge_joins := current_setting('enable_mergejoin');
  nested_loops := current_setting('enable_nestloop');
  sorts := current_setting('enable_sort');
  PERFORM set_config('enable_mergejoin', 'off', true), set_config('enable_nestloop', 'off', true),
          set_config('enable_sort', 'off', true);
  IF TG_OP = 'UPDATE' THEN
    OPEN groups FOR
      SELECT c.family_id, array_agg(c.pubky_domain_id) AS ids, array_agg(c.packet_timestamp) AS timestamps,
        array_agg(c.records) AS records, array_agg(c.stored_at) AS stored,
        array_agg(c.pubky_domain_id) FILTER (WHERE
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
                  AND q.confirmed_timestamp < greatest(o.packet_timestamp, c.packet_timestamp)))
        ) AS rescore
      FROM changed_rows c
      JOIN old_rows o USING (pubky_domain_id)
      GROUP BY c.family_id;
  ELSE
    OPEN groups FOR
      SELECT c.family_id, array_agg(c.pubky_domain_id) AS ids, array_agg(c.packet_timestamp) AS timestamps,
        array_agg(c.records) AS records, array_agg(c.stored_at) AS stored,
        array_agg(c.pubky_domain_id) AS rescore
      FROM changed_rows c
      GROUP BY c.family_id;
  END IF;
  PERFORM set_config('enable_mergejoin', merge_joins, true), set_config('enable_nestloop', nested_loops, true),
          set_config('enable_sort', sorts, true);
  LOOP
    FETCH groups INTO g;
    EXIT WHEN NOT FOUND;
    IF cardinality(g.rescore) > 0 THEN
      -- A domain deleted with its packet (a cascade) is not found: nothing is left to score.
      PERFORM rescore_domains(ARRAY(SELECT domain_record_id FROM pubky_domains WHERE id = ANY (g.rescore)));
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
      SELECT pd.domain_record_id, pd.public_key INTO record_id, key
      FROM pubky_domains pd WHERE pd.id = g.ids[1];
      entity := jsonb_build_object('pubkyDomainId', g.ids[1], 'domainRecordId', record_id,
                                   'publicKey', key);
      data := jsonb_build_object('op', op, 'pubkyDomainId', g.ids[1],
                                 'packetTimestamp', g.timestamps[1], 'records', g.records[1],
                                 'storedAt', g.stored[1]);
      INSERT INTO feed_events (family_id, kind, entity, data)
      VALUES (g.family_id, 'pkarr_record_event', entity, data)
      RETURNING seq INTO first_seq;
      PERFORM pg_notify('feed_events', feed_payload(first_seq, g.family_id, 'pkarr_record_event', entity, data));
      CONTINUE;
    END IF;
    -- The group's events in one row owning seqs first_seq..first_seq + n - 1 (0016); the
    -- domains' record ids and keys are read with the row (packet_batch_identities).
    first_seq := nextval('feed_events_seq_seq'::regclass);
    PERFORM setval('feed_events_seq_seq'::regclass, first_seq + n - 1);
    INSERT INTO feed_events (seq, last_seq, family_id, kind, packet_op, pubky_domain_ids,
                             packet_timestamps, packet_records, stored_ats)
    OVERRIDING SYSTEM VALUE
    VALUES (first_seq, first_seq + n - 1, g.family_id, 'pkarr_record_event', op, g.ids,
            g.timestamps, g.records, g.stored);
    PERFORM pg_notify('feed_events', jsonb_build_object(
      'seq', first_seq, 'lastSeq', first_seq + n - 1, 'familyId', g.family_id,
      'kind', 'pkarr_record_event', 'compact', true)::text);
  END LOOP;
  CLOSE groups;
  RETURN NULL;
END $$;
