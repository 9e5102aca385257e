-- ANALYZE of feed_events read every event's arrays (TOASTed: ids, keys, records and scores of
-- up to 100 events a row) to build statistics on their elements that no query uses: the feed
-- reads by seq, family and age. Autovacuum analyses this append-only table often (every 10% of
-- new rows); under 4,000 synced packets/s one ANALYZE took 0.26 s of CPU and 0.5 s elapsed on a
-- two-core server, and every upload in flight waited for it (p99 of the bench's open loop).
-- With statistics off for these columns, ANALYZE samples only the ones queries filter on.
ALTER TABLE feed_events
  ALTER COLUMN entity SET STATISTICS 0,
  ALTER COLUMN data SET STATISTICS 0,
  ALTER COLUMN pubky_domain_ids SET STATISTICS 0,
  ALTER COLUMN domain_record_ids SET STATISTICS 0,
  ALTER COLUMN public_keys SET STATISTICS 0,
  ALTER COLUMN packet_timestamps SET STATISTICS 0,
  ALTER COLUMN packet_records SET STATISTICS 0,
  ALTER COLUMN stored_ats SET STATISTICS 0,
  ALTER COLUMN scores SET STATISTICS 0,
  ALTER COLUMN computed_ats SET STATISTICS 0;
