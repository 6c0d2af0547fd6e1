-- Ingest finds an event's subscribers with an array-overlap test (event_types && ...).
CREATE INDEX idx_endpoints_event_types ON endpoints USING GIN (event_types);
