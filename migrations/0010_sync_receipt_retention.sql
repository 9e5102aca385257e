-- Sync receipts make uploads idempotent while an app may still retry them; they are pruned after
-- a retention window (the server's housekeeping), so this index keeps the pruning cheap.
CREATE INDEX sync_receipts_created ON sync_receipts (created_at);
