-- The retention job deletes attempts by age in small batches.
CREATE INDEX idx_attempts_created ON attempts (created_at);
