-- Ingest keeps each application's subscribers per event type in memory and stores a
-- message only if the application's endpoints_version is still the one its match was
-- made at; a write that changes who receives what (a new or deleted endpoint, its event
-- types, switching it on or off) moves the version on, so the next message matches
-- afresh. Other endpoint writes (URL, secret, the dispatcher's circuit state) leave it.
ALTER TABLE applications ADD COLUMN endpoints_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION endpoints_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    UPDATE applications SET endpoints_version = endpoints_version + 1 WHERE id = NEW.application_id;
  ELSIF TG_OP = 'INSERT' THEN
    UPDATE applications SET endpoints_version = endpoints_version + 1
    WHERE id IN (SELECT application_id FROM new_endpoints);
  ELSE
    UPDATE applications SET endpoints_version = endpoints_version + 1
    WHERE id IN (SELECT application_id FROM old_endpoints);
  END IF;
  RETURN NULL;
END
$$;

-- Once per statement for inserts and deletes: endpoints are created in bulk too.
CREATE TRIGGER endpoints_inserted AFTER INSERT ON endpoints
  REFERENCING NEW TABLE AS new_endpoints FOR EACH STATEMENT EXECUTE FUNCTION endpoints_changed();
CREATE TRIGGER endpoints_deleted AFTER DELETE ON endpoints
  REFERENCING OLD TABLE AS old_endpoints FOR EACH STATEMENT EXECUTE FUNCTION endpoints_changed();
-- Per row for updates, and only those that change matching: the dispatcher updates
-- endpoints (failures, circuits) far more often than anyone edits them.
CREATE TRIGGER endpoints_matching_changed AFTER UPDATE ON endpoints
  FOR EACH ROW
  WHEN (OLD.event_types IS DISTINCT FROM NEW.event_types OR OLD.is_active IS DISTINCT FROM NEW.is_active)
  EXECUTE FUNCTION endpoints_changed();
