-- An inbound CloudEvent's claim is the caller's own: keyed by (caller, source, id), not (source, id).
-- Keyed globally, any tenant who sent a guessed pair first (Kafka ids are partition:offset) made the
-- real event a 409 for as long as the claim was kept. Claims are short-lived (gc purges them after the
-- event retention), so the ones already stored are kept under their caller.
ALTER TABLE inbound_events DROP CONSTRAINT inbound_events_pkey;
ALTER TABLE inbound_events ADD PRIMARY KEY (caller, source, id);
