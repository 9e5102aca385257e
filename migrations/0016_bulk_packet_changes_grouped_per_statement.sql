-- A statement that writes many packets (a sync upload, an import) appended one feed row and sent
-- two NOTIFYs per packet. Per 1,000-row upsert that was ~20 ms of feed inserts and ~17 ms of
-- NOTIFYs beside a ~14 ms upsert, and in a 100-packet sync it held the feed's commit-order lock
-- (taken here, held to COMMIT) for every one of those rows. Now, per statement and family:
--
-- * The feed stores one row for all of a statement's packet events. The row owns the seqs
--   seq..last_seq, allocated together under the feed lock (so seq order is still commit order),
--   and keeps the events' fields as typed arrays, event i at index i: no JSON is built per event
--   in the writer's transaction (building it cost as much as the per-event rows did). The server
--   expands the row into the very events a one-row statement produces, same seqs, same fields.
--   A statement that changes one packet of a family still appends and notifies the one event in
--   full, as before; a larger group sends one small NOTIFY naming its range and the server reads
--   that row.
-- * `pkarr_record_changes` names each change once, grouped by family, at most 100 a payload:
--   `{op, familyId, pubkyDomainIds: [...], packetTimestamps: [...], eventId}` (under 8000 bytes).
--
-- One trigger function does both from one pass over the changed rows, looking each row's domain
-- up by its primary key: a hash join would read all of pubky_domains for every statement.

ALTER TABLE feed_events
  ALTER COLUMN entity DROP NOT NULL,
  ALTER COLUMN data DROP NOT NULL,
  ADD COLUMN last_seq bigint,
  ADD COLUMN packet_op text,
  ADD COLUMN pubky_domain_ids uuid[],
  ADD COLUMN domain_record_ids uuid[],
  ADD COLUMN public_keys text[],
  ADD COLUMN packet_timestamps bigint[],
  ADD COLUMN packet_records jsonb[],
  ADD COLUMN stored_ats timestamptz[],
  ADD CONSTRAINT feed_events_one_or_packet_batch CHECK (
    CASE WHEN last_seq IS NULL
      THEN entity IS NOT NULL AND data IS NOT NULL AND pubky_domain_ids IS NULL
      ELSE kind = 'pkarr_record_event' AND last_seq > seq AND entity IS NULL AND data IS NULL
        AND packet_op IN ('insert', 'update')
        AND cardinality(pubky_domain_ids) = last_seq - seq + 1
        AND cardinality(domain_record_ids) = last_seq - seq + 1
        AND cardinality(public_keys) = last_seq - seq + 1
        AND cardinality(packet_timestamps) = last_seq - seq + 1
        AND cardinality(packet_records) = last_seq - seq + 1
        AND cardinality(stored_ats) = last_seq - seq + 1
    END);
-- The arrays are ids, numbers and small JSON: compressing them costs more than storing them.
ALTER TABLE feed_events
  ALTER COLUMN pubky_domain_ids SET STORAGE EXTERNAL,
  ALTER COLUMN domain_record_ids SET STORAGE EXTERNAL,
  ALTER COLUMN public_keys SET STORAGE EXTERNAL,
  ALTER COLUMN packet_timestamps SET STORAGE EXTERNAL,
  ALTER COLUMN packet_records SET STORAGE EXTERNAL,
  ALTER COLUMN stored_ats SET STORAGE EXTERNAL;
COMMENT ON COLUMN feed_events.last_seq IS
  'NULL for a row holding one event (entity, data). Otherwise the row holds the packet events '
  'seq..last_seq of one statement, their fields in the arrays below, event i at index i.';

CREATE FUNCTION publish_pkarr_record_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  op text := lower(TG_OP);
  one record;
  g record;
  first_seq bigint;
  entity jsonb;
  data jsonb;
BEGIN
  SELECT count(*) INTO n FROM changed_rows;
  -- Statement triggers fire for zero rows too: no lock, no notification for those.
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_advisory_xact_lock(7461736);
  END IF;

  -- One row (an app's single publish): the event in full, as one-row statements always had it.
  IF n = 1 THEN
    SELECT r.pubky_domain_id, r.packet_timestamp, r.records, r.stored_at,
           pd.family_id, pd.domain_record_id, pd.public_key
    INTO one
    FROM changed_rows r LEFT JOIN pubky_domains pd ON pd.id = r.pubky_domain_id;
    PERFORM pg_notify('pkarr_record_changes', jsonb_build_object(
      'op', op, 'familyId', one.family_id, 'pubkyDomainIds', jsonb_build_array(one.pubky_domain_id),
      'packetTimestamps', jsonb_build_array(one.packet_timestamp),
      'eventId', nextval('notification_event_seq'))::text);
    IF TG_OP = 'DELETE' THEN
      RETURN NULL;
    END IF;
    entity := jsonb_build_object('pubkyDomainId', one.pubky_domain_id,
                                 'domainRecordId', one.domain_record_id, 'publicKey', one.public_key);
    data := jsonb_build_object('op', op, 'pubkyDomainId', one.pubky_domain_id,
                               'packetTimestamp', one.packet_timestamp, 'records', one.records,
                               'storedAt', one.stored_at);
    INSERT INTO feed_events (family_id, kind, entity, data)
    VALUES (one.family_id, 'pkarr_record_event', entity, data)
    RETURNING seq INTO first_seq;
    PERFORM pg_notify('feed_events', feed_payload(first_seq, one.family_id, 'pkarr_record_event', entity, data));
    RETURN NULL;
  END IF;

  FOR g IN
    SELECT pd.family_id, array_agg(r.pubky_domain_id) AS ids, array_agg(pd.domain_record_id) AS record_ids,
      array_agg(pd.public_key::text) AS keys, array_agg(r.packet_timestamp) AS timestamps,
      array_agg(r.records) AS records, array_agg(r.stored_at) AS stored
    FROM changed_rows r
    -- A delete cascading from its domain finds no domain: notified without a family, as before.
    LEFT JOIN LATERAL (SELECT p.family_id, p.domain_record_id, p.public_key FROM pubky_domains p
                       WHERE p.id = r.pubky_domain_id OFFSET 0) pd ON true
    GROUP BY pd.family_id
    ORDER BY pd.family_id
  LOOP
    n := cardinality(g.ids);
    PERFORM pg_notify('pkarr_record_changes', jsonb_build_object(
        'op', op, 'familyId', g.family_id, 'pubkyDomainIds', to_jsonb(g.ids[i:i + 99]),
        'packetTimestamps', to_jsonb(g.timestamps[i:i + 99]),
        'eventId', nextval('notification_event_seq'))::text)
    FROM generate_series(1, n, 100) i;
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
  RETURN NULL;
END $$;

DROP TRIGGER pkarr_records_notify_insert ON pkarr_records;
DROP TRIGGER pkarr_records_notify_update ON pkarr_records;
DROP TRIGGER pkarr_records_notify_delete ON pkarr_records;
DROP TRIGGER pkarr_records_feed_insert ON pkarr_records;
DROP TRIGGER pkarr_records_feed_update ON pkarr_records;
DROP FUNCTION notify_pkarr_records();
DROP FUNCTION feed_pkarr_records();

CREATE TRIGGER pkarr_records_publish_insert AFTER INSERT ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION publish_pkarr_record_changes();
CREATE TRIGGER pkarr_records_publish_update AFTER UPDATE ON pkarr_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION publish_pkarr_record_changes();
CREATE TRIGGER pkarr_records_publish_delete AFTER DELETE ON pkarr_records
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION publish_pkarr_record_changes();
