-- The companion server is also a PKARR relay (design.md §4): the newest verified packet per
-- public key, for any key (relays are public), with what the caching headers need.
CREATE TABLE relay_packets (
  public_key z32_key PRIMARY KEY,
  payload bytea NOT NULL CHECK (octet_length(payload) BETWEEN 72 AND 1072),
  packet_timestamp bigint NOT NULL CHECK (packet_timestamp >= 0),
  -- The smallest TTL of the packet's records, for Cache-Control.
  min_ttl integer NOT NULL CHECK (min_ttl >= 0),
  stored_at timestamptz NOT NULL DEFAULT now()
);
