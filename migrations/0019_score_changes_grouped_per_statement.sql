-- A bulk re-score (one evidence change for 10,000 domains) appended 10,000 feed rows, each
-- built as JSON and sent as its own NOTIFY, and sent 10,000 `sovereignty_score_changes`: a third
-- of the re-score's time (~470 ms of ~1.5 s). Score changes now go out as packet changes do
-- since 0016, per statement and family:
--
-- * The feed stores one row for a family's score events of one statement, owning the seqs
--   seq..last_seq, the events' fields in typed arrays (event i at index i, in history order),
--   and sends one compact NOTIFY naming the range; the server expands the row into the very
--   events a one-row statement produces. A family's group of one is stored as one event.
-- * `sovereignty_score_changes` names each change once, grouped by family, at most 100 a
--   payload: `{op, familyId, domainRecordIds: [...], scores: [...], eventId}` (under 8000 bytes).
--   This changes the payload for listeners on the channel (none in this repository).
ALTER TABLE feed_events
  ADD COLUMN scores integer[],
  ADD COLUMN computed_ats timestamptz[];
ALTER TABLE feed_events
  ALTER COLUMN scores SET STORAGE EXTERNAL,
  ALTER COLUMN computed_ats SET STORAGE EXTERNAL;
COMMENT ON COLUMN feed_events.scores IS
  'With last_seq set and kind sovereignty_score_event: the scores of events seq..last_seq; '
  'domain_record_ids, pubky_domain_ids, public_keys and computed_ats hold their other fields.';

CREATE OR REPLACE FUNCTION notify_sovereignty_scores() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  g record;
BEGIN
  FOR g IN
    SELECT d.family_id, array_agg(h.domain_record_id ORDER BY h.id) AS ids,
           array_agg(h.score ORDER BY h.id) AS scores
    FROM new_rows h JOIN domain_records d ON d.id = h.domain_record_id
    GROUP BY d.family_id
  LOOP
    FOR i IN 1..cardinality(g.ids) BY 100 LOOP
      PERFORM pg_notify('sovereignty_score_changes', concat(
        '{"op":"insert","familyId":"', g.family_id,
        '","domainRecordIds":["', array_to_string(g.ids[i:i + 99], '","'),
        '"],"scores":[', array_to_string(g.scores[i:i + 99], ','),
        '],"eventId":', nextval('notification_event_seq'), '}'));
    END LOOP;
  END LOOP;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION feed_scores() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  g record;
  first_seq bigint;
  entity jsonb;
  data jsonb;
BEGIN
  SELECT count(*) INTO n FROM new_rows;
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(7461736);
  FOR g IN
    SELECT d.family_id, array_agg(h.domain_record_id ORDER BY h.id) AS record_ids,
           array_agg(pd.id ORDER BY h.id) AS pubky_ids, array_agg(pd.public_key::text ORDER BY h.id) AS keys,
           array_agg(h.score ORDER BY h.id) AS scores, array_agg(h.computed_at ORDER BY h.id) AS computed
    FROM new_rows h
    JOIN domain_records d ON d.id = h.domain_record_id
    LEFT JOIN pubky_domains pd ON pd.domain_record_id = h.domain_record_id
    GROUP BY d.family_id
    ORDER BY min(h.id)
  LOOP
    n := cardinality(g.record_ids);
    IF n = 1 THEN
      -- The event in full, as before. The score, not its breakdown: apps read the reasons from
      -- GET /domains/:id/score when they show them.
      entity := jsonb_build_object('domainRecordId', g.record_ids[1], 'pubkyDomainId', g.pubky_ids[1],
                                   'publicKey', g.keys[1]);
      data := jsonb_build_object('domainRecordId', g.record_ids[1], 'score', g.scores[1],
                                 'computedAt', g.computed[1]);
      INSERT INTO feed_events (family_id, kind, entity, data)
      VALUES (g.family_id, 'sovereignty_score_event', entity, data)
      RETURNING seq INTO first_seq;
      PERFORM pg_notify('feed_events', feed_payload(first_seq, g.family_id, 'sovereignty_score_event', entity, data));
      CONTINUE;
    END IF;
    first_seq := nextval('feed_events_seq_seq'::regclass);
    PERFORM setval('feed_events_seq_seq'::regclass, first_seq + n - 1);
    INSERT INTO feed_events (seq, last_seq, family_id, kind, domain_record_ids, pubky_domain_ids,
                             public_keys, scores, computed_ats)
    OVERRIDING SYSTEM VALUE
    VALUES (first_seq, first_seq + n - 1, g.family_id, 'sovereignty_score_event', g.record_ids,
            g.pubky_ids, g.keys, g.scores, g.computed);
    PERFORM pg_notify('feed_events', jsonb_build_object(
      'seq', first_seq, 'lastSeq', first_seq + n - 1, 'familyId', g.family_id,
      'kind', 'sovereignty_score_event', 'compact', true)::text);
  END LOOP;
  RETURN NULL;
END $$;
