-- The peer list of a VPC (fetch-peers' GET /api/vpcs/{id}/devices) is read in its default order, by hostname,
-- from a cursor as the client takes it (docs/benchmarks.md "A fleet from its own process"). Without an index in
-- that order PostgreSQL sorts the whole VPC before the first row: at 100,000 devices a sort of ~80 MB of rows, on
-- disk past work_mem, before one byte is sent. With it the rows come in index order, the first batch at once.
-- Live rows only, as the list reads them. Expand-only: a new index. A plain CREATE INDEX blocks writes to devices
-- while it builds (deploy/README.md, Upgrading); CREATE INDEX CONCURRENTLY would not, and was not tried under Flyway here.
CREATE INDEX devices_vpc_hostname_live ON devices (vpc_id, hostname) WHERE deleted_at IS NULL;
