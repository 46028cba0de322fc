-- Fleet lifecycle beyond Nexodus (issue 12): ephemeral devices, registration keys with usage limits,
-- expiry and revocation, device tokens that expire and rotate. Every column defaults to Nexodus's
-- behaviour: a key without a limit, never revoked, registering ordinary devices whose token never expires.

ALTER TABLE reg_keys
    ADD COLUMN usage_limit               integer CHECK (usage_limit > 0),   -- null: unlimited
    ADD COLUMN uses                      integer NOT NULL DEFAULT 0,        -- devices it registered, ever
    ADD COLUMN revoked_at                timestamptz,                       -- set: refused, kept for the audit trail
    ADD COLUMN ephemeral                 boolean NOT NULL DEFAULT false,    -- its devices are removed when inactive
    ADD COLUMN device_token_ttl_seconds  bigint CHECK (device_token_ttl_seconds > 0); -- null: tokens never expire

-- A single-use key is the limit-1 case; what the keys registered so far counts.
UPDATE reg_keys k SET usage_limit = CASE WHEN k.device_id IS NOT NULL THEN 1 END,
    uses = (SELECT count(*) FROM devices d WHERE d.reg_key_id = k.id);

ALTER TABLE devices
    ADD COLUMN ephemeral         boolean NOT NULL DEFAULT false,
    ADD COLUMN token_expires_at  timestamptz,                          -- null: the device token never expires
    -- when its agent was last seen: registration, a PATCH, a watch stream opening or closing. While a
    -- stream is open, its device_sessions heartbeat says so instead (a column bumped every minute would
    -- bump the revision and wake every watcher of the VPC).
    ADD COLUMN last_seen_at      timestamptz NOT NULL DEFAULT now();
CREATE INDEX devices_ephemeral_last_seen ON devices (last_seen_at) WHERE ephemeral AND deleted_at IS NULL;

-- A registration counts against its key in the statement that inserts the device: the key's row is
-- locked by the UPDATE, a concurrent registration waits and re-reads `uses`, so a limit of N admits
-- exactly N devices however many race. A device inserted without room (or through a key revoked
-- meanwhile) rolls the insert back; an insert that does not happen (ON CONFLICT DO NOTHING) fires no
-- AFTER trigger, so no use is counted without a device and no device exists without a counted use.
CREATE FUNCTION nexodus_count_reg_key_use() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reg_keys SET uses = uses + 1
     WHERE id = NEW.reg_key_id AND revoked_at IS NULL AND (usage_limit IS NULL OR uses < usage_limit);
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM reg_keys WHERE id = NEW.reg_key_id AND revoked_at IS NOT NULL) THEN
            RAISE EXCEPTION 'reg key % revoked', NEW.reg_key_id USING ERRCODE = 'NXK02';
        END IF;
        RAISE EXCEPTION 'reg key % has no use left', NEW.reg_key_id USING ERRCODE = 'NXK01';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER devices_count_reg_key_use AFTER INSERT ON devices
    FOR EACH ROW WHEN (NEW.reg_key_id IS NOT NULL) EXECUTE FUNCTION nexodus_count_reg_key_use();
