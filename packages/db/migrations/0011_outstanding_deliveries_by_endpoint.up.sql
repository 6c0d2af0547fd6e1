-- An endpoint's outstanding deliveries in id order: the dispatcher parks a dead
-- endpoint's backlog in chunks along it.
CREATE INDEX idx_deliveries_outstanding_by_endpoint ON deliveries (endpoint_id, id)
    WHERE status IN ('pending', 'retrying');
