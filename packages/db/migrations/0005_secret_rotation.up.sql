-- After a rotation the old secret keeps signing (next to the new one) until it expires.
ALTER TABLE endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE endpoints ADD COLUMN previous_secret_expires_at TIMESTAMPTZ(3);
