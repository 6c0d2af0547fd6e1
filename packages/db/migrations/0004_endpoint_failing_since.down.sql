ALTER TABLE endpoints DROP COLUMN IF EXISTS failing_since;
