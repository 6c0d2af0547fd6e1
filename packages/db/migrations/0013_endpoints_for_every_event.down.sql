ALTER INDEX idx_endpoints_event_types RESET (fastupdate);
DROP INDEX IF EXISTS idx_endpoints_every_event;
