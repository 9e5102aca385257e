-- 0016's CHECK on feed_events spelled out every array's length. Postgres rebuilds a table's CHECK
-- expressions for every INSERT statement, and that one cost ~60 µs per append: under the feed
-- benchmark's 1,000 single-row changes a second (each appending under the feed lock) it tipped
-- the writers past what they keep up with (families_5000 p50 from 4 ms to over a second).
-- The arrays are written only by publish_pkarr_record_changes(), which builds them together;
-- the check keeps what a reader relies on: a row is one event or a range.
ALTER TABLE feed_events DROP CONSTRAINT feed_events_one_or_packet_batch;
ALTER TABLE feed_events ADD CONSTRAINT feed_events_one_event_or_range CHECK (
  CASE WHEN last_seq IS NULL THEN entity IS NOT NULL AND data IS NOT NULL ELSE last_seq > seq END);
