-- The web console's sign-in sessions (the /web/* routes of the auth function; docs/identity.md "Web console
-- sign-in"). Nexodus kept them in Redis; here any replica of any function may serve the console's next call and
-- all may scale to zero, so they live in PostgreSQL. A session is found by the SHA-256 of its random cookie
-- value (sid_hash), never by the value itself; the provider's tokens are encrypted under the server key
-- (nexodus.device-token-key, as devices.token_ciphertext), bound to the row's id. version counts refreshes: a
-- refresh locks the row, and a caller that finds the version moved on uses the winner's tokens.
-- Expand-only: a new table.
CREATE TABLE web_sessions (
    id                   uuid PRIMARY KEY,
    sid_hash             bytea NOT NULL UNIQUE,
    issuer               text NOT NULL,
    subject              text NOT NULL,
    access_token         bytea NOT NULL,
    refresh_token        bytea,
    id_token             bytea,
    access_expires_at    timestamptz NOT NULL,
    version              integer NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    idle_expires_at      timestamptz NOT NULL,
    absolute_expires_at  timestamptz NOT NULL
);
-- gc's sweep: expired sessions (idle or absolute)
CREATE INDEX web_sessions_idle_expiry ON web_sessions (idle_expires_at);
CREATE INDEX web_sessions_absolute_expiry ON web_sessions (absolute_expires_at);
