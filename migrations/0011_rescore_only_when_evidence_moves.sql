-- Re-scoring was the largest share of every write to pkarr_records (design.md §8, `npm run bench
-- -- scores`): each statement gathered and compared the evidence of every domain it touched, even
-- when nothing the score reads had changed. Two cuts, neither changes a score:
--
-- 1. A packet row feeds the evidence only through its existence, its `records` (private
--    addresses) and its `packet_timestamp` (which confirmations count as fresh). An UPDATE that
--    keeps the records and moves the timestamp past no fresh confirmation leaves the evidence as
--    it was, so those rows are not re-scored. (Inserts and deletes always are.)
-- 2. rescore_domains() scores only domains whose gathered evidence differs from the evidence
--    their current score was computed from: the breakdown is a pure function of the evidence.

CREATE FUNCTION rescore_from_packet_updates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id
    FROM new_rows n
    FULL JOIN old_rows o USING (pubky_domain_id)
    JOIN pubky_domains pd ON pd.id = pubky_domain_id
    WHERE n.pubky_domain_id IS NULL OR o.pubky_domain_id IS NULL -- the key itself moved
       OR n.records IS DISTINCT FROM o.records
       OR (n.packet_timestamp <> o.packet_timestamp AND EXISTS (
             SELECT 1 FROM pkarr_publications p
             WHERE p.pubky_domain_id = n.pubky_domain_id
               AND p.confirmed_at > now() - interval '24 hours'
               AND p.confirmed_timestamp >= least(o.packet_timestamp, n.packet_timestamp)
               AND p.confirmed_timestamp < greatest(o.packet_timestamp, n.packet_timestamp)))));
  RETURN NULL;
END $$;

DROP TRIGGER pkarr_records_evidence_rescore_update ON pkarr_records;
CREATE TRIGGER pkarr_records_evidence_rescore_update AFTER UPDATE ON pkarr_records
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rescore_from_packet_updates();

CREATE OR REPLACE FUNCTION rescore_domains(ids uuid[]) RETURNS integer
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
    SELECT e.domain_record_id, e.evidence, current.breakdown AS current_breakdown
    FROM domain_evidence e
    LEFT JOIN sovereignty_scores current ON current.domain_record_id = e.domain_record_id
    WHERE e.domain_record_id = ANY (ids)
      AND current.evidence IS DISTINCT FROM e.evidence
  ),
  -- The breakdown is a pure function of the evidence: score each distinct evidence set once
  -- (a bulk change leaves most domains with identical evidence).
  -- MATERIALIZED: inlined, the planner would call the function once per domain again.
  scored AS MATERIALIZED (
    SELECT evidence, sovereignty_breakdown(evidence) AS breakdown
    FROM (SELECT DISTINCT evidence FROM gathered) d
  ),
  computed AS (
    SELECT g.domain_record_id, g.evidence, s.breakdown,
           g.current_breakdown IS DISTINCT FROM s.breakdown AS moved
    FROM gathered g JOIN scored s USING (evidence)
  ),
  -- A breakdown that moved is written and makes history (and so a notification and a feed
  -- event); new evidence with the same breakdown is only stored, so it is not gathered again.
  upserted AS (
    INSERT INTO sovereignty_scores AS s (domain_record_id, score, breakdown, evidence, computed_at)
    SELECT domain_record_id, (breakdown ->> 'total')::int, breakdown, evidence, now()
    FROM computed WHERE moved
    ON CONFLICT (domain_record_id) DO UPDATE
      SET score = excluded.score, breakdown = excluded.breakdown, evidence = excluded.evidence,
          computed_at = excluded.computed_at
    RETURNING s.domain_record_id, s.score, s.breakdown, s.computed_at
  ),
  refreshed AS (
    UPDATE sovereignty_scores s SET evidence = c.evidence, computed_at = now()
    FROM computed c WHERE NOT c.moved AND s.domain_record_id = c.domain_record_id
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
