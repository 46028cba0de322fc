-- gc's IPAM reconciliation: what IPAM holds that no live device does (an address whose registration
-- failed after IPAM handed it out but before the answer came back, an advertised prefix left behind).
-- A registration in flight looks the same for a moment, so an entry is only given back once it has been
-- seen orphaned in sweeps that span the grace period; an entry no longer orphaned is forgotten.
CREATE TABLE ipam_orphans (
    namespace   text        NOT NULL,
    prefix      text        NOT NULL,              -- the prefix the address is in, or the orphaned prefix itself
    address     text        NOT NULL DEFAULT '',   -- '' when the prefix itself is the orphan
    first_seen  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, prefix, address)
);
