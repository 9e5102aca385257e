-- 0011 re-scored a packet update whenever its records changed. The score reads the records only
-- through how many private addresses they publish, and a re-score gathers the domain's whole
-- evidence (six tables); so a new packet whose records differ (most do: a new address, a new TXT)
-- but publish as many private addresses as before no longer re-scores. The count is the same
-- expression the domain_evidence view uses.
CREATE FUNCTION private_address_count(records jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT count(*)::int
  FROM jsonb_array_elements(records) r
  WHERE r ->> 'type' IN ('A', 'AAAA') AND is_private_address(r ->> 'address')
$$;

CREATE OR REPLACE FUNCTION rescore_from_packet_updates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rescore_domains(ARRAY(
    SELECT pd.domain_record_id
    FROM new_rows n
    FULL JOIN old_rows o USING (pubky_domain_id)
    JOIN pubky_domains pd ON pd.id = pubky_domain_id
    WHERE n.pubky_domain_id IS NULL OR o.pubky_domain_id IS NULL -- the key itself moved
       OR (n.records IS DISTINCT FROM o.records
           AND private_address_count(n.records) <> private_address_count(o.records))
       OR (n.packet_timestamp <> o.packet_timestamp AND EXISTS (
             SELECT 1 FROM pkarr_publications p
             WHERE p.pubky_domain_id = n.pubky_domain_id
               AND p.confirmed_at > now() - interval '24 hours'
               AND p.confirmed_timestamp >= least(o.packet_timestamp, n.packet_timestamp)
               AND p.confirmed_timestamp < greatest(o.packet_timestamp, n.packet_timestamp)))));
  RETURN NULL;
END $$;
