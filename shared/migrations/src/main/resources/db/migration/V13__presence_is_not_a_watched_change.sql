-- Whether a device is online (online, online_at) and when it was last seen (last_seen_at) is presence, not a change
-- its peers act on: nexd never reads either, and the console reads them from the list. Until now a presence write
-- drew a revision like any other devices write, so every agent's watch received every other device's flips: a fleet
-- of N agents opening or reconnecting after an outage longer than the offline grace was N² events (1,000 fresh agents:
-- 1.54 million events, 1.1 GB; docs/benchmarks.md "A fleet from its own process"), and each flip waited on the VPC's
-- revision lock. Now an UPDATE of devices that changes nothing but presence keeps its revision (and takes no revision
-- lock): watches and gt_revision deltas carry a device's presence as it is when the device next really changes, and
-- lists always show it as it is. Nexodus bumped the revision on a flip (without a signal): docs/compatibility.md.
--
-- The trigger's WHEN compares the rows without the presence columns (and without revision and updated_at, which only
-- the trigger sets): no column list to keep in step with the table. Expand-only: old replicas still write and signal
-- flips, which now read as nothing new.
DROP TRIGGER devices_revision ON devices;
CREATE TRIGGER devices_revision BEFORE INSERT ON devices
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('devices_revision_seq', 'vpc_id');
CREATE TRIGGER devices_revision_on_change BEFORE UPDATE ON devices
    FOR EACH ROW
    WHEN (to_jsonb(OLD) - '{online,online_at,last_seen_at,revision,updated_at}'::text[]
          IS DISTINCT FROM to_jsonb(NEW) - '{online,online_at,last_seen_at,revision,updated_at}'::text[])
    EXECUTE FUNCTION nexodus_bump_revision('devices_revision_seq', 'vpc_id');
