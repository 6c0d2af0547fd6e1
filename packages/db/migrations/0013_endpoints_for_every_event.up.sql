-- Endpoints with no event types receive every event. Ingest finds an event's
-- subscribers as two index look-ups, the GIN index on event_types for those that
-- list a matching type and this one for those that list none; a single condition
-- with OR between the two could use neither and read every endpoint.
CREATE INDEX idx_endpoints_every_event ON endpoints (application_id) WHERE cardinality(event_types) = 0;

-- GIN's fast update parks new entries in a pending list that every search reads
-- through until (auto)vacuum merges it: endpoints created in bulk made each look-up
-- as slow as reading the table. Endpoints are written rarely and read on every
-- message, so new entries go straight into the index.
ALTER INDEX idx_endpoints_event_types SET (fastupdate = off);
SELECT gin_clean_pending_list('idx_endpoints_event_types');
