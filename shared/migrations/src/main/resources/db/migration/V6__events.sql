-- Outbound CloudEvents and the audit trail (issue 11): one row per committed change, written in the
-- change's own transaction or statement (an outbox), so a change that rolls back leaves no event and a
-- change that commits always has one. The same rows are the organization's audit trail: kept for the
-- retention (NEXODUS_EVENTS_RETENTION), then purged by gc whether delivered or not, so nothing
-- accumulates without bound when the sink stays down.
CREATE TABLE events (
    id               uuid PRIMARY KEY,                 -- the CloudEvent's id: stable across redeliveries
    seq              bigserial NOT NULL UNIQUE,        -- commit-ish order; per subject, events go out in seq order
    organization_id  uuid,                             -- whose audit trail; null for user.deleted
    type             text NOT NULL,                    -- io.nexodus.<resource>.<verb-past>
    source           text NOT NULL,                    -- /nexodus/<function>
    subject          text NOT NULL,                    -- the resource id
    actor_id         uuid,                             -- the user the change was made as; null for the service token
    actor_kind       text NOT NULL,                    -- user, reg_key, device_token, service
    data             jsonb NOT NULL,                   -- the resource as JSON, never a secret
    time             timestamptz NOT NULL DEFAULT now(),
    pending          boolean NOT NULL,                 -- still to be sent (by any replica that has a sink)
    delivered_at     timestamptz
);
CREATE INDEX events_pending ON events (seq) WHERE pending;
CREATE INDEX events_organization ON events (organization_id, seq);
CREATE INDEX events_time ON events (time);

-- Inbound CloudEvents already answered: a redelivery with the same source and id gets the stored answer
-- instead of a second effect. answered_at null: the first delivery is still being handled.
CREATE TABLE inbound_events (
    source       text NOT NULL,
    id           text NOT NULL,
    caller       text NOT NULL,                        -- who sent it: a different caller may not reuse the id
    status       integer,
    headers      jsonb,
    body         bytea,
    seen_at      timestamptz NOT NULL DEFAULT now(),
    answered_at  timestamptz,
    PRIMARY KEY (source, id)
);
CREATE INDEX inbound_events_seen ON inbound_events (seen_at);
