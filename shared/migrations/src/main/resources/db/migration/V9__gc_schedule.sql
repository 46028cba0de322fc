-- When the last sweep started: the schedule's tick carries no credential (the PingSource's spec is readable by
-- anyone with the namespace's view role, so it holds no secret), and gc starts a sweep for it only when the
-- last one started at least nexodus.gc.min-interval ago. One row. Expand-only.
CREATE TABLE gc_sweeps (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_started_at  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO gc_sweeps DEFAULT VALUES;
