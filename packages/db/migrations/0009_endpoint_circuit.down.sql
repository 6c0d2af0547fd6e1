DROP INDEX IF EXISTS idx_endpoints_circuit;
ALTER TABLE endpoints DROP COLUMN IF EXISTS circuit_open_until;
