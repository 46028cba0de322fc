-- Watchers read "everything after revision R" and then move their cursor to the highest revision they
-- saw. That is only safe if, within what one watcher reads, revisions become visible in the order they
-- were handed out: otherwise a transaction holding revision 10 could commit after one holding 11 had
-- been read, and revision 10 would be skipped for good. So the revision is drawn under a transaction
-- lock on the watch scope (a device's VPC; the whole table for the small, rarely written tables): two
-- writers in one scope take turns, and the one that drew the lower revision commits first.
-- TG_ARGV[0]: the sequence; TG_ARGV[1]: the column holding the scope, or '' for the whole table.
CREATE OR REPLACE FUNCTION nexodus_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_NAME),
        hashtext(CASE WHEN TG_ARGV[1] = '' THEN '' ELSE to_jsonb(NEW) ->> TG_ARGV[1] END));
    NEW.revision := nextval(TG_ARGV[0]::regclass);
    NEW.updated_at := now();
    RETURN NEW;
END $$;

DROP TRIGGER devices_revision ON devices;
CREATE TRIGGER devices_revision BEFORE INSERT OR UPDATE ON devices
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('devices_revision_seq', 'vpc_id');
DROP TRIGGER vpcs_revision ON vpcs;
CREATE TRIGGER vpcs_revision BEFORE INSERT OR UPDATE ON vpcs
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('vpcs_revision_seq', '');
DROP TRIGGER security_groups_revision ON security_groups;
CREATE TRIGGER security_groups_revision BEFORE INSERT OR UPDATE ON security_groups
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('security_groups_revision_seq', '');
DROP TRIGGER device_metadata_revision ON device_metadata;
CREATE TRIGGER device_metadata_revision BEFORE INSERT OR UPDATE ON device_metadata
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('device_metadata_revision_seq', '');

-- A device is online while it holds a watch stream on any replica of fetch-peers (Nexodus counted
-- Redis subscribers). Each open stream is a row; a replica refreshes its rows' heartbeat while they
-- are open, so the rows of a replica that died stop counting after a few minutes.
CREATE TABLE device_sessions (
    stream_id     uuid PRIMARY KEY,
    device_id     uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    replica       text        NOT NULL,
    heartbeat_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_sessions_device_id ON device_sessions (device_id);
CREATE INDEX device_sessions_replica ON device_sessions (replica);
