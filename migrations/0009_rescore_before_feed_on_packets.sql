-- Triggers on one table fire in name order. On pkarr_records (the sync hot path) the feed
-- trigger came first and took the feed's commit-order lock (0005), so the re-score that follows
-- ran while every other writer of events waited. Renamed, the re-score runs first and the lock
-- is held only from the event append to COMMIT. Behaviour is otherwise unchanged: a score that
-- moves still gets its event, in the same transaction, just before the packet's.
ALTER TRIGGER pkarr_records_rescore_insert ON pkarr_records RENAME TO pkarr_records_evidence_rescore_insert;
ALTER TRIGGER pkarr_records_rescore_update ON pkarr_records RENAME TO pkarr_records_evidence_rescore_update;
ALTER TRIGGER pkarr_records_rescore_delete ON pkarr_records RENAME TO pkarr_records_evidence_rescore_delete;
