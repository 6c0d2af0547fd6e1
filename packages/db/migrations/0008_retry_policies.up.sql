-- Per-application and per-endpoint overrides of the retry schedule, max attempts
-- and timeout: {"schedule_ms": [...], "max_attempts": n, "timeout_ms": n}, each
-- key optional. NULL inherits everything.
ALTER TABLE applications ADD COLUMN retry_policy JSONB;
ALTER TABLE endpoints ADD COLUMN retry_policy JSONB;
