ALTER TABLE messages DROP COLUMN IF EXISTS trace_context;
