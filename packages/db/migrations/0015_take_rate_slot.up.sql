-- Takes one send slot for an endpoint limited to p_limit deliveries per second, or
-- answers how many ms until one frees up (NULL: taken). One statement per rate-limited
-- attempt, where the dispatcher used to run an interactive transaction of five round
-- trips while holding the endpoint's lock. It stays correct in one call because each
-- statement of a VOLATILE function takes a fresh snapshot: the count, made after the
-- lock was granted, sees every slot committed by whoever held it before.
CREATE FUNCTION take_rate_slot(p_endpoint_id TEXT, p_limit INTEGER, p_window_ms INTEGER)
RETURNS INTEGER LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  window_start TIMESTAMPTZ;
  taken INTEGER;
  wait_ms INTEGER;
BEGIN
  -- Many jobs of one busy endpoint may queue here; one that waits this long fails and comes
  -- back later rather than hold its connection.
  PERFORM set_config('lock_timeout', '10s', true);
  PERFORM pg_advisory_xact_lock(hashtext('rate:' || p_endpoint_id));
  window_start := clock_timestamp() - make_interval(secs => p_window_ms / 1000.0);
  SELECT count(*)::int,
         ceil(extract(epoch FROM min(taken_at) + make_interval(secs => p_window_ms / 1000.0) - clock_timestamp()) * 1000)::int
    INTO taken, wait_ms
    FROM rate_slots
   WHERE endpoint_id = p_endpoint_id AND taken_at > window_start;
  IF taken >= p_limit THEN
    RETURN greatest(coalesce(wait_ms, 0), 10);
  END IF;
  -- clock_timestamp(), not the column's default now(): that is when the transaction began,
  -- possibly long before the lock was granted, and would date the slot too early.
  INSERT INTO rate_slots (endpoint_id, taken_at) VALUES (p_endpoint_id, clock_timestamp());
  DELETE FROM rate_slots WHERE endpoint_id = p_endpoint_id AND taken_at < clock_timestamp() - interval '10 seconds';
  RETURN NULL;
END
$$;
