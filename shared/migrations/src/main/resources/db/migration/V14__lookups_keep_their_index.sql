-- A pool connection keeps the generic plan PostgreSQL made for each prepared statement, and a plan made while a table
-- is empty or unanalyzed costs every index alike. Each of these partial indexes had no condition but
-- deleted_at IS NULL, so every lookup that says deleted_at IS NULL could use any of them as a scan of all live rows,
-- and on a fresh install it did: the first registration's connection found "is this public key registered" through
-- devices_vpc_hostname_live (V12), and so did the device-token check of every nexd request and every lookup of a
-- device by id, scanning every device of the table on each until autovacuum first analyzed it (docs/benchmarks.md
-- "Where PostgreSQL's CPU per registration went"). With its key column IS NOT NULL in its condition as well, an index
-- is a candidate only for a query with a condition on that key, so the plan made on an empty table is the one a
-- large table needs. Same rows in each index (the columns are NOT NULL), same uniqueness.
--
-- Each index is built under a new name, the old one dropped and the new one renamed, in this one transaction: old
-- replicas see the same index names and the same unique keys throughout (register-device's ON CONFLICT DO NOTHING
-- names no index). Like V12, CREATE INDEX holds off writes to the table while it builds (deploy/README.md,
-- Upgrading). Not here: organizations_name_live and users_idp_issuer_id_live, which ON CONFLICT (…) WHERE
-- deleted_at IS NULL infers by that predicate (a condition added would break the previous release's upserts).
CREATE UNIQUE INDEX devices_public_key_live_v14 ON devices (public_key) WHERE deleted_at IS NULL AND public_key IS NOT NULL;
DROP INDEX devices_public_key_live;
ALTER INDEX devices_public_key_live_v14 RENAME TO devices_public_key_live;

CREATE UNIQUE INDEX devices_token_hash_live_v14 ON devices (token_hash) WHERE deleted_at IS NULL AND token_hash IS NOT NULL;
DROP INDEX devices_token_hash_live;
ALTER INDEX devices_token_hash_live_v14 RENAME TO devices_token_hash_live;

CREATE INDEX devices_vpc_hostname_live_v14 ON devices (vpc_id, hostname) WHERE deleted_at IS NULL AND vpc_id IS NOT NULL;
DROP INDEX devices_vpc_hostname_live;
ALTER INDEX devices_vpc_hostname_live_v14 RENAME TO devices_vpc_hostname_live;

CREATE UNIQUE INDEX reg_keys_token_hash_live_v14 ON reg_keys (token_hash) WHERE deleted_at IS NULL AND token_hash IS NOT NULL;
DROP INDEX reg_keys_token_hash_live;
ALTER INDEX reg_keys_token_hash_live_v14 RENAME TO reg_keys_token_hash_live;
