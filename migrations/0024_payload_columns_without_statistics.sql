-- Like feed_events' arrays (0023): autovacuum's ANALYZE built statistics on payload columns that
-- no query filters, joins or groups on, and for jsonb that is the costly part (each sampled value
-- compared with the others). Measured on the bench's data: pkarr_records 491 ms → 12 ms (its
-- records jsonb), sovereignty_score_history 277 → 54 ms, sovereignty_scores 102 → 34 ms,
-- sync_receipts 137 → 73 ms (its text keys sorted by collation, its uuids). Under packet sync
-- these tables change fast enough to be analysed every few seconds, and each ANALYZE took a core
-- from uploads in flight: the slow requests of the bench's open loop cluster on them.
-- Queries find these rows by domain, user and time, which keep their statistics.
ALTER TABLE pkarr_records
  ALTER COLUMN packet SET STATISTICS 0,
  ALTER COLUMN records SET STATISTICS 0;
ALTER TABLE relay_packets
  ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE sovereignty_scores
  ALTER COLUMN breakdown SET STATISTICS 0,
  ALTER COLUMN evidence SET STATISTICS 0;
ALTER TABLE sovereignty_score_history
  ALTER COLUMN breakdown SET STATISTICS 0;
-- Receipts are looked up by (user_id, client_id), the primary key, and pruned by created_at.
ALTER TABLE sync_receipts
  ALTER COLUMN client_id SET STATISTICS 0,
  ALTER COLUMN public_key SET STATISTICS 0,
  ALTER COLUMN packet_timestamp SET STATISTICS 0,
  ALTER COLUMN outcome SET STATISTICS 0;
