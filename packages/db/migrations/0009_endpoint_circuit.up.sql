-- Set while a dispatcher has parked an endpoint's backlog because its circuit is
-- open: until then the outbox relay republishes none of its deliveries, and
-- afterwards only one at a time (a probe) until an attempt succeeds.
ALTER TABLE endpoints ADD COLUMN circuit_open_until TIMESTAMPTZ(3);
CREATE INDEX idx_endpoints_circuit ON endpoints (circuit_open_until) WHERE circuit_open_until IS NOT NULL;
