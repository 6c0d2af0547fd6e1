ALTER TABLE endpoints DROP COLUMN IF EXISTS previous_secret_expires_at;
ALTER TABLE endpoints DROP COLUMN IF EXISTS previous_secret;
