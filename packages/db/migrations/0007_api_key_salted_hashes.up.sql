-- API keys are stored as salted, peppered hashes, which cannot be looked up by value:
-- rows are found by the key's public look-up id (the 12 characters after pk_live_).
-- NULL for keys created before; those are found by their unsalted SHA-256 in
-- api_key_hash and get a look-up id and a salted hash the first time they are used.
ALTER TABLE applications ADD COLUMN api_key_lookup TEXT;
CREATE UNIQUE INDEX applications_api_key_lookup_key ON applications (api_key_lookup);
