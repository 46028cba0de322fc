-- A user is its identity provider's (issuer, subject), never the subject alone: once more than one issuer
-- is trusted (Keycloak, the development issuer, another provider), two issuers' equal subjects must never
-- reach the same account (the account-takeover class Headscale 0.24 shipped).
--
-- Rows from before this migration keep a NULL issuer: they were created by the one issuer trusted then
-- (mp.jwt.verify.issuer), and UserProvisioner lets only that issuer adopt them, once, by setting it here.
ALTER TABLE users ADD COLUMN idp_issuer text;

DROP INDEX users_idp_id_live;
CREATE UNIQUE INDEX users_idp_issuer_id_live ON users (idp_issuer, idp_id) WHERE deleted_at IS NULL;
-- legacy rows (NULL issuer) stay unique by subject among themselves, as before
CREATE UNIQUE INDEX users_idp_id_legacy_live ON users (idp_id) WHERE deleted_at IS NULL AND idp_issuer IS NULL;
