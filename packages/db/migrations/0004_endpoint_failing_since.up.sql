-- When an endpoint's current run of failed attempts began; NULL while it is healthy.
ALTER TABLE endpoints ADD COLUMN failing_since TIMESTAMPTZ(3);
