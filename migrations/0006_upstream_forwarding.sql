-- Forwarding upstream (design.md §4): every packet this server stores (synced by the app or PUT to
-- its relay) is published on to the relays and the DHT the operator configured. One row per
-- (key, target) is a small outbox: claimed with SKIP LOCKED so several server processes share
-- the work and each target gets each packet once; retried with backoff; confirmations become
-- score evidence in pkarr_publications.

-- The operator's upstream list, written by the server from its configuration at start. It is the
-- cluster's: every process on this database forwards to the same targets.
CREATE TABLE upstream_targets (
  target text PRIMARY KEY CHECK (target = 'dht' OR target ~ '^https?://[^\s]+$'),
  added_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE upstream_forwards (
  public_key z32_key NOT NULL REFERENCES relay_packets(public_key) ON DELETE CASCADE,
  target text NOT NULL REFERENCES upstream_targets(target) ON DELETE CASCADE,
  -- The packet this row is about; a newer stored packet resets the row to pending.
  packet_timestamp bigint NOT NULL CHECK (packet_timestamp >= 0),
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'confirmed', 'superseded', 'rejected')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  confirmed_at timestamptz,
  last_error text,
  PRIMARY KEY (public_key, target)
);
CREATE INDEX upstream_forwards_due ON upstream_forwards (next_attempt_at) WHERE state = 'pending';
CREATE INDEX upstream_forwards_confirmed ON upstream_forwards (confirmed_at) WHERE state = 'confirmed';

-- Statement-level, so a batched upload enqueues in one INSERT; with no targets it joins nothing.
CREATE FUNCTION enqueue_upstream_forwards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO upstream_forwards (public_key, target, packet_timestamp)
  SELECT n.public_key, t.target, n.packet_timestamp FROM stored_packets n CROSS JOIN upstream_targets t
  ON CONFLICT (public_key, target) DO UPDATE
    SET packet_timestamp = excluded.packet_timestamp, state = 'pending', attempts = 0,
        next_attempt_at = now(), last_error = NULL
    WHERE upstream_forwards.packet_timestamp < excluded.packet_timestamp;
  RETURN NULL;
END $$;

CREATE TRIGGER relay_packets_forward_insert AFTER INSERT ON relay_packets
  REFERENCING NEW TABLE AS stored_packets FOR EACH STATEMENT EXECUTE FUNCTION enqueue_upstream_forwards();
CREATE TRIGGER relay_packets_forward_update AFTER UPDATE ON relay_packets
  REFERENCING NEW TABLE AS stored_packets FOR EACH STATEMENT EXECUTE FUNCTION enqueue_upstream_forwards();

-- A target added later gets every packet already stored (the same trigger, run for the target).
CREATE FUNCTION enqueue_for_new_target() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO upstream_forwards (public_key, target, packet_timestamp)
  SELECT r.public_key, t.target, r.packet_timestamp FROM relay_packets r CROSS JOIN added_targets t
  ON CONFLICT (public_key, target) DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER upstream_targets_backfill AFTER INSERT ON upstream_targets
  REFERENCING NEW TABLE AS added_targets FOR EACH STATEMENT EXECUTE FUNCTION enqueue_for_new_target();
