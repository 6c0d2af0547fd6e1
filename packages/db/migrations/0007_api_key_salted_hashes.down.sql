-- Keys rehashed since the up migration stop authenticating: rotate them after going down.
DROP INDEX IF EXISTS applications_api_key_lookup_key;
ALTER TABLE applications DROP COLUMN IF EXISTS api_key_lookup;
