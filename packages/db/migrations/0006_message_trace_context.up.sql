-- The W3C traceparent of the request that sent the message (NULL when tracing is off),
-- so that retries republished hours later can link their new trace back to it.
ALTER TABLE messages ADD COLUMN trace_context TEXT;
