-- The whole Nexodus data model (reference/nexodus/behaviour.md §C.8), redone for PostgreSQL only.
--
-- Conventions:
--  * every resource row has id uuid, created_at, updated_at and deleted_at (soft delete: watchers
--    must see deletes, and `gc` hard-deletes old tombstones later);
--  * uniqueness is enforced among live rows only (partial unique indexes WHERE deleted_at IS NULL),
--    so a deleted name or key can be reused without nulling columns;
--  * watched tables (vpcs, devices, device_metadata, security_groups) carry a `revision` drawn from
--    a per-table sequence on every INSERT and UPDATE (soft deletes included). The sequences are
--    `integer` because nexd decodes revisions as int32.

CREATE FUNCTION nexodus_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- TG_ARGV[0] names the table's revision sequence.
CREATE FUNCTION nexodus_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.revision := nextval(TG_ARGV[0]::regclass);
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- users ---------------------------------------------------------------------------------------
CREATE TABLE users (
    id          uuid PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    idp_id      text        NOT NULL,
    user_name   text        NOT NULL,
    full_name   text        NOT NULL DEFAULT '',
    picture     text        NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX users_idp_id_live ON users (idp_id) WHERE deleted_at IS NULL;
CREATE INDEX users_user_name ON users (user_name);
CREATE INDEX users_deleted_at ON users (deleted_at);
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION nexodus_touch();

CREATE TABLE user_identities (
    kind     text NOT NULL,           -- 'keycloak:id' (the IdP subject) or 'email' (verified only)
    value    text NOT NULL,
    user_id  uuid NOT NULL REFERENCES users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    PRIMARY KEY (kind, value)
);
CREATE INDEX user_identities_user_id ON user_identities (user_id);

-- organizations and membership ------------------------------------------------------------------
CREATE TABLE organizations (
    id           uuid PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    name         text        NOT NULL,
    description  text        NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX organizations_name_live ON organizations (name) WHERE deleted_at IS NULL;
CREATE INDEX organizations_deleted_at ON organizations (deleted_at);
CREATE TRIGGER organizations_touch BEFORE UPDATE ON organizations FOR EACH ROW EXECUTE FUNCTION nexodus_touch();

-- A membership is a fact, not a resource: removing it deletes the row (as Nexodus does).
CREATE TABLE user_organizations (
    user_id          uuid   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id  uuid   NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    roles            text[] NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organization_id),
    CONSTRAINT user_organizations_roles_known CHECK (roles <@ ARRAY['owner', 'member']::text[] AND cardinality(roles) > 0)
);
CREATE INDEX user_organizations_organization_id ON user_organizations (organization_id);
CREATE INDEX user_organizations_roles ON user_organizations USING gin (roles);

CREATE TABLE invitations (
    id               uuid PRIMARY KEY,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    user_id          uuid REFERENCES users (id) ON DELETE CASCADE,   -- null until an email resolves to a user
    email            text,
    organization_id  uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    from_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    roles            text[]      NOT NULL DEFAULT ARRAY['member']::text[],
    expires_at       timestamptz NOT NULL,
    CONSTRAINT invitations_addressee CHECK (user_id IS NOT NULL OR email IS NOT NULL),
    CONSTRAINT invitations_roles_known CHECK (roles <@ ARRAY['owner', 'member']::text[] AND cardinality(roles) > 0)
);
CREATE INDEX invitations_user_id ON invitations (user_id);
CREATE INDEX invitations_organization_id ON invitations (organization_id);
CREATE INDEX invitations_email ON invitations (email);
CREATE INDEX invitations_deleted_at ON invitations (deleted_at);
CREATE TRIGGER invitations_touch BEFORE UPDATE ON invitations FOR EACH ROW EXECUTE FUNCTION nexodus_touch();

-- VPCs ------------------------------------------------------------------------------------------
CREATE SEQUENCE vpcs_revision_seq AS integer;
CREATE TABLE vpcs (
    id               uuid PRIMARY KEY,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    organization_id  uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    description      text        NOT NULL DEFAULT '',
    private_cidr     boolean     NOT NULL DEFAULT false,
    ipv4_cidr        text        NOT NULL,
    ipv6_cidr        text        NOT NULL,
    revision         integer     NOT NULL
);
CREATE INDEX vpcs_organization_id ON vpcs (organization_id);
CREATE INDEX vpcs_revision ON vpcs (revision);
CREATE INDEX vpcs_deleted_at ON vpcs (deleted_at);
CREATE TRIGGER vpcs_revision BEFORE INSERT OR UPDATE ON vpcs
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('vpcs_revision_seq');

-- security groups ---------------------------------------------------------------------------------
CREATE SEQUENCE security_groups_revision_seq AS integer;
CREATE TABLE security_groups (
    id               uuid PRIMARY KEY,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    organization_id  uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    vpc_id           uuid        NOT NULL REFERENCES vpcs (id) ON DELETE CASCADE,
    description      text        NOT NULL DEFAULT '',
    inbound_rules    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    outbound_rules   jsonb       NOT NULL DEFAULT '[]'::jsonb,
    revision         integer     NOT NULL
);
CREATE INDEX security_groups_organization_id ON security_groups (organization_id);
CREATE INDEX security_groups_vpc_id ON security_groups (vpc_id);
CREATE INDEX security_groups_revision ON security_groups (revision);
CREATE INDEX security_groups_deleted_at ON security_groups (deleted_at);
CREATE TRIGGER security_groups_revision BEFORE INSERT OR UPDATE ON security_groups
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('security_groups_revision_seq');

-- registration keys -----------------------------------------------------------------------------
CREATE TABLE reg_keys (
    id                 uuid PRIMARY KEY,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    owner_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id    uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    vpc_id             uuid        NOT NULL REFERENCES vpcs (id) ON DELETE CASCADE,
    token_hash         bytea       NOT NULL,        -- SHA-256 of the `RK:` bearer token; the token itself is shown once
    description        text        NOT NULL DEFAULT '',
    device_id          uuid,                        -- set ⇒ single-use: the id the one device will get
    expires_at         timestamptz,
    security_group_id  uuid REFERENCES security_groups (id) ON DELETE SET NULL,
    settings           jsonb
);
CREATE UNIQUE INDEX reg_keys_token_hash_live ON reg_keys (token_hash) WHERE deleted_at IS NULL;
CREATE INDEX reg_keys_owner_id ON reg_keys (owner_id);
CREATE INDEX reg_keys_vpc_id ON reg_keys (vpc_id);
CREATE INDEX reg_keys_organization_id ON reg_keys (organization_id);
CREATE INDEX reg_keys_deleted_at ON reg_keys (deleted_at);
CREATE TRIGGER reg_keys_touch BEFORE UPDATE ON reg_keys FOR EACH ROW EXECUTE FUNCTION nexodus_touch();

-- devices ---------------------------------------------------------------------------------------
CREATE SEQUENCE devices_revision_seq AS integer;
CREATE TABLE devices (
    id                 uuid PRIMARY KEY,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    owner_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    vpc_id             uuid        NOT NULL REFERENCES vpcs (id) ON DELETE CASCADE,
    organization_id    uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    public_key         text        NOT NULL,
    allowed_ips        text[]      NOT NULL DEFAULT '{}',
    ipv4_tunnel_ips    jsonb       NOT NULL DEFAULT '[]'::jsonb,   -- [{"address":…,"cidr":…}]
    ipv6_tunnel_ips    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    advertise_cidrs    text[]      NOT NULL DEFAULT '{}',
    relay              boolean     NOT NULL DEFAULT false,
    symmetric_nat      boolean     NOT NULL DEFAULT false,
    hostname           text        NOT NULL DEFAULT '',
    os                 text        NOT NULL DEFAULT '',
    endpoints          jsonb       NOT NULL DEFAULT '[]'::jsonb,   -- [{"source":…,"address":…}]
    security_group_id  uuid REFERENCES security_groups (id) ON DELETE SET NULL,
    online             boolean     NOT NULL DEFAULT false,
    online_at          timestamptz,
    reg_key_id         uuid REFERENCES reg_keys (id) ON DELETE SET NULL,
    token_hash         bytea       NOT NULL,        -- SHA-256 of the `DT:` device token, to find the device by it
    token_ciphertext   bytea,                       -- the token under the server's key, to seal it again for the agent
    revision           integer     NOT NULL
);
CREATE UNIQUE INDEX devices_public_key_live ON devices (public_key) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX devices_token_hash_live ON devices (token_hash) WHERE deleted_at IS NULL;
CREATE INDEX devices_owner_id ON devices (owner_id);
CREATE INDEX devices_organization_id ON devices (organization_id);
CREATE INDEX devices_reg_key_id ON devices (reg_key_id);
CREATE INDEX devices_deleted_at ON devices (deleted_at);
-- the watch query: WHERE vpc_id = ? AND revision > ? ORDER BY revision
CREATE INDEX devices_vpc_revision ON devices (vpc_id, revision);
CREATE TRIGGER devices_revision BEFORE INSERT OR UPDATE ON devices
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('devices_revision_seq');

CREATE SEQUENCE device_metadata_revision_seq AS integer;
CREATE TABLE device_metadata (
    device_id   uuid        NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    key         text        NOT NULL,
    value       jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    revision    integer     NOT NULL,
    PRIMARY KEY (device_id, key)
);
CREATE INDEX device_metadata_revision ON device_metadata (revision);
CREATE INDEX device_metadata_deleted_at ON device_metadata (deleted_at);
CREATE TRIGGER device_metadata_revision BEFORE INSERT OR UPDATE ON device_metadata
    FOR EACH ROW EXECUTE FUNCTION nexodus_bump_revision('device_metadata_revision_seq');
