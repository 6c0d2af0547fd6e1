DROP INDEX IF EXISTS idx_endpoints_event_types;
