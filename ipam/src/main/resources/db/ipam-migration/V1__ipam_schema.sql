-- IPAM's own schema (history table ipam_schema_history), applied by io.nexodus.ipam.IpamMigrate.
--
-- Scale rule: one row per allocated address. Acquire and release touch a handful of index entries,
-- never a per-prefix blob, so their cost does not grow with the number of allocations. Uniqueness of
-- an address is the primary key's job, not a lock in a process: any number of replicas may allocate.

CREATE TABLE ipam_namespaces (
    name       text PRIMARY KEY CHECK (name <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- go-ipam's default namespace: a request without one means this.
INSERT INTO ipam_namespaces (name) VALUES ('root');

CREATE TABLE ipam_prefixes (
    id         bigserial PRIMARY KEY,
    namespace  text NOT NULL REFERENCES ipam_namespaces (name),
    cidr       cidr NOT NULL,
    -- set for a child prefix (AcquireChildPrefix); a parent with children cannot be deleted
    parent_id  bigint REFERENCES ipam_prefixes (id),
    -- how many child prefixes are taken: a prefix hands out prefixes or addresses, never both. A
    -- column (not a count) so that an acquirer's FOR KEY SHARE re-check sees a concurrent change.
    children   integer NOT NULL DEFAULT 0 CHECK (children >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (namespace, cidr)
);
CREATE INDEX ipam_prefixes_parent ON ipam_prefixes (parent_id) WHERE parent_id IS NOT NULL;
-- overlap checks (cidr && $1) among the prefixes of a namespace
CREATE INDEX ipam_prefixes_cidr ON ipam_prefixes USING gist (cidr inet_ops);

-- The allocated addresses. The foreign key (NO ACTION) is what refuses to delete a prefix that still
-- has addresses, and its KEY SHARE lock keeps a prefix from vanishing under an allocation.
CREATE TABLE ipam_addresses (
    prefix_id bigint NOT NULL REFERENCES ipam_prefixes (id),
    address   inet   NOT NULL,
    PRIMARY KEY (prefix_id, address)
);

-- Where the lowest-free search starts. Invariant: every usable address of the prefix below
-- `watermark` is allocated or listed in ipam_holes. An acquirer moves the watermark up only over
-- addresses it saw allocated, and only if `epoch` is unchanged; a release at or above the watermark
-- bumps `epoch`, so no concurrent acquirer can jump over the freed address.
CREATE TABLE ipam_prefix_cursors (
    prefix_id bigint PRIMARY KEY REFERENCES ipam_prefixes (id) ON DELETE CASCADE,
    watermark inet   NOT NULL,
    epoch     bigint NOT NULL DEFAULT 0
);

-- Released addresses below the watermark: the lowest free address is the smallest hole if there is
-- one, else the first gap at or above the watermark.
CREATE TABLE ipam_holes (
    prefix_id bigint NOT NULL REFERENCES ipam_prefixes (id) ON DELETE CASCADE,
    address   inet   NOT NULL,
    PRIMARY KEY (prefix_id, address)
);
