-- Postgres parses a table's CHECK expressions again for every INSERT statement (see 0017). On
-- the one-packet path that was ~110,000 instructions an append (callgrind, single-user Postgres:
-- the one-row packet trigger went from 0.70M to 0.59M instructions), most of it the list of
-- kinds. A domain's CHECK is parsed once per session (the type cache keeps it), so the list
-- moves onto a domain. Same values, same error (check_violation); the column stays text to
-- every reader and writer.
CREATE DOMAIN feed_event_kind AS text CHECK (VALUE IN (
  'pubky_domain_event', 'pkarr_record_event', 'sovereignty_score_event', 'domain_migration_event',
  'guardian_event'));
ALTER TABLE feed_events DROP CONSTRAINT feed_events_kind_check;
ALTER TABLE feed_events ALTER COLUMN kind TYPE feed_event_kind;
