DROP INDEX IF EXISTS idx_attempts_created;
