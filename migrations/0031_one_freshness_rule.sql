-- One freshness rule (docs/protocol.md, as the reference implementation has it): a newer
-- timestamp wins; on equal timestamps the larger DNS packet bytes win. The relay's PUT already
-- followed it; sync let the last writer win a tie, so the same two packets could leave different
-- winners depending on the path. Both now ask this one function.
CREATE FUNCTION packet_supersedes(new_timestamp bigint, new_dns bytea, old_timestamp bigint,
                                  old_dns bytea) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT new_timestamp > old_timestamp OR (new_timestamp = old_timestamp AND new_dns > old_dns)
$$;

CREATE OR REPLACE FUNCTION relay_put(key z32_key, new_payload bytea, new_timestamp bigint, new_min_ttl integer,
                          if_match bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  stored relay_packets%ROWTYPE;
  stored_dns bytea;
  new_dns bytea := substring(new_payload FROM 73);
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended(key, 7261)) THEN
    RETURN 428;
  END IF;
  SELECT * INTO stored FROM relay_packets WHERE public_key = key;
  IF if_match IS NOT NULL AND (NOT FOUND OR stored.packet_timestamp <> if_match) THEN
    RETURN 412;
  END IF;
  IF FOUND THEN
    stored_dns := substring(stored.payload FROM 73);
    IF packet_supersedes(stored.packet_timestamp, stored_dns, new_timestamp, new_dns) THEN
      RETURN 409;
    END IF;
    IF stored.packet_timestamp = new_timestamp AND stored_dns = new_dns THEN
      RETURN 204;
    END IF;
  END IF;
  INSERT INTO relay_packets (public_key, payload, packet_timestamp, min_ttl)
  VALUES (key, new_payload, new_timestamp, new_min_ttl)
  ON CONFLICT (public_key) DO UPDATE SET payload = excluded.payload,
    packet_timestamp = excluded.packet_timestamp, min_ttl = excluded.min_ttl, stored_at = now();
  RETURN 204;
END $$;
