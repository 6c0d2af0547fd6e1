-- Sliding-window log of recent sends to rate-limited endpoints, shared by every dispatcher.
CREATE TABLE rate_slots (
    id          BIGSERIAL PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE ON UPDATE CASCADE,
    taken_at    TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX idx_rate_slots_endpoint ON rate_slots (endpoint_id, taken_at);
