-- The relay's PUT decision (design.md §4) in one statement, so a PUT costs one round trip
-- instead of five: a per-key advisory lock (428 when another publish holds it), If-Match (412),
-- the freshness order — newer timestamp wins, on a tie the larger DNS bytes (409 when what is
-- stored wins) — and the write. An identical packet is a success that writes nothing.
-- The payload is `sig(64) ‖ timestamp(8) ‖ dns`: the DNS bytes start at byte 73 (1-based).
CREATE FUNCTION relay_put(key z32_key, new_payload bytea, new_timestamp bigint, new_min_ttl integer,
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
    IF stored.packet_timestamp > new_timestamp
       OR (stored.packet_timestamp = new_timestamp AND stored_dns > new_dns) THEN
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
