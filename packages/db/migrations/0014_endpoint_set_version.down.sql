DROP TRIGGER IF EXISTS endpoints_matching_changed ON endpoints;
DROP TRIGGER IF EXISTS endpoints_deleted ON endpoints;
DROP TRIGGER IF EXISTS endpoints_inserted ON endpoints;
DROP FUNCTION IF EXISTS endpoints_changed();
ALTER TABLE applications DROP COLUMN IF EXISTS endpoints_version;
