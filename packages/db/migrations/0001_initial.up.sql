CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    api_key_hash   TEXT NOT NULL,
    api_key_prefix TEXT NOT NULL,
    created_at     TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX applications_api_key_hash_key ON applications (api_key_hash);

CREATE TABLE endpoints (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE ON UPDATE CASCADE,
    url            TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    secret         TEXT NOT NULL,
    event_types    TEXT[] DEFAULT ARRAY[]::TEXT[],
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    rate_limit     INTEGER,
    metadata       JSONB NOT NULL DEFAULT '{}',
    created_at     TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_endpoints_app ON endpoints (application_id, id);

CREATE TABLE messages (
    id                 TEXT PRIMARY KEY,
    application_id     TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE ON UPDATE CASCADE,
    event_type         TEXT NOT NULL,
    payload            TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending',
    endpoints_targeted INTEGER NOT NULL DEFAULT 0,
    idempotency_key    TEXT,
    "timestamp"        TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_messages_idempotency ON messages (application_id, idempotency_key);
CREATE INDEX idx_messages_app ON messages (application_id, id);
CREATE INDEX idx_messages_event ON messages (application_id, event_type);

CREATE TABLE deliveries (
    id             TEXT PRIMARY KEY,
    message_id     TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE ON UPDATE CASCADE,
    endpoint_id    TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE ON UPDATE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE ON UPDATE CASCADE,
    status         TEXT NOT NULL DEFAULT 'pending',
    attempt_count  INTEGER NOT NULL DEFAULT 0,
    round_attempts INTEGER NOT NULL DEFAULT 0,
    next_retry_at  TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,
    completed_at   TIMESTAMPTZ(3),
    enqueued_at    TIMESTAMPTZ(3),
    locked_until   TIMESTAMPTZ(3),
    created_at     TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_deliveries_message ON deliveries (message_id);
CREATE INDEX idx_deliveries_endpoint ON deliveries (endpoint_id, status);
CREATE INDEX idx_deliveries_app_status ON deliveries (application_id, status);
-- The outbox relay's scan: deliveries that are due and not yet on JetStream.
CREATE INDEX idx_deliveries_outbox ON deliveries (next_retry_at)
    WHERE enqueued_at IS NULL AND status IN ('pending', 'retrying');

CREATE TABLE attempts (
    id             BIGSERIAL PRIMARY KEY,
    delivery_id    TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE ON UPDATE CASCADE,
    attempt_number INTEGER NOT NULL,
    status_code    INTEGER NOT NULL DEFAULT 0,
    response_body  TEXT NOT NULL DEFAULT '',
    latency_ms     INTEGER NOT NULL DEFAULT 0,
    error          TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_attempts_number ON attempts (delivery_id, attempt_number);
