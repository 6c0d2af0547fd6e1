ALTER TABLE endpoints DROP COLUMN IF EXISTS retry_policy;
ALTER TABLE applications DROP COLUMN IF EXISTS retry_policy;
