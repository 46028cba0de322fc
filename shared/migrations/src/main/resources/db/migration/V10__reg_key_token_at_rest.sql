-- A registration key's token, encrypted under the server key (as devices.token_ciphertext), so that its owner
-- can read it again (the web console shows it, and the nexd command line built from it, after creating a key);
-- it is still found by token_hash. Keys created before this migration have none: shown once, as before.
-- Expand-only.
ALTER TABLE reg_keys ADD COLUMN token_ciphertext bytea;
