-- The re-score triggers of pkarr_publications, pkarr_records' neighbours, keypairs and guardian
-- backups found their domains with `... IN (SELECT ... FROM changed_rows)`: a join, planned
-- once per session for the row count of the first statement that ran it (PL/pgSQL keeps the
-- plan). After a 10,000-row confirmation update, every later one-row change in that session
-- read all of pubky_domains (a hash join over a sequential scan: 2.5 ms at 10,000 domains,
-- growing with every domain the server holds). Written as `= ANY (ARRAY(...))` the lookup is
-- an index scan over the changed ids whatever the plan was made for.
CREATE OR REPLACE FUNCTION rescore_from_pubky_domain_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.id = ANY (ARRAY(SELECT pubky_domain_id FROM changed_rows))));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rescore_from_keypairs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.keypair_id = ANY (ARRAY(SELECT id FROM changed_rows))));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rescore_from_backups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.keypair_id = ANY (ARRAY(SELECT keypair_id FROM changed_rows))));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rescore_from_shares() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id FROM pubky_domains pd
    WHERE pd.keypair_id = ANY (ARRAY(
      SELECT gb.keypair_id FROM guardian_backups gb
      WHERE gb.id = ANY (ARRAY(SELECT backup_id FROM changed_rows))))));
  RETURN NULL;
END $$;
