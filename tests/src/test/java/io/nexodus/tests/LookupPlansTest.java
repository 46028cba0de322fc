package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.fn.fetchpeers.EventsRoute;
import io.nexodus.fn.registerdevice.RegisterDevice;
import io.nexodus.shared.identity.OpaqueTokens;
import io.nexodus.shared.migrations.Migrate;
import io.nexodus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hot lookups keep their index on a fresh install. A function's pool connection prepares each statement once and
 * PostgreSQL keeps the generic plan it made for it: on a freshly migrated database, before any ANALYZE, that plan is
 * made with every table empty, and it is kept while the tables grow until autovacuum first analyzes them. Here each
 * statement is prepared on an empty, unanalyzed database (generic plan forced: what a pool connection ends up with
 * after five executions), 3,000 devices, users and registration keys are then written, and the plans kept must still
 * find one row through its key's index: a few buffers, not a scan of every live device. Before V14 the public-key
 * check of every registration, the device-token check of every nexd request and every lookup of a device by id
 * scanned every live device through the peer list's index (docs/benchmarks.md "Where PostgreSQL's CPU per
 * registration went"). Autovacuum is off for the database's tables, so nothing re-plans behind the test's back.
 */
class LookupPlansTest {

    private static final String VPC = "00000000-0000-0000-0000-0000000000c3";
    private static final String USER = "00000000-0000-0000-0000-0000000000c1";
    private static final String KEY = "00000000-0000-0000-0000-0000000000c4";
    private static final int ROWS = 3000;
    /** An index lookup reads a handful of buffers; a scan of 3,000 live devices reads thousands. */
    private static final int MOST_BUFFERS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestPostgres server;
    private static String database;

    @BeforeAll
    static void aFreshlyMigratedDatabase() throws SQLException {
        server = TestPostgres.get();
        database = server.createDatabase("plans");
        Migrate.apply(server.url(database), server.user(), server.password());
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String table : new String[] {"devices", "reg_keys", "users", "vpcs", "organizations"}) {
                s.execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
            }
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(database), server.user(), server.password());
    }

    @Test
    void plansMadeOnEmptyTablesStillFindOneRowByItsKeyOnceTheTablesAreFull() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("INSERT INTO users (id, idp_id, user_name) VALUES ('" + USER + "', 'plans', 'plans')");
            s.execute("INSERT INTO organizations (id, name) VALUES ('" + VPC + "', 'plans')");
            s.execute("INSERT INTO user_organizations (user_id, organization_id, roles) VALUES ('" + USER + "', '" + VPC
                    + "', '{owner}')");
            s.execute("INSERT INTO vpcs (id, organization_id, ipv4_cidr, ipv6_cidr) VALUES ('" + VPC + "', '" + VPC
                    + "', '100.64.0.0/10', '200::/64')");
            s.execute("INSERT INTO reg_keys (id, owner_id, organization_id, vpc_id, token_hash) VALUES ('" + KEY + "', '"
                    + USER + "', '" + VPC + "', '" + VPC + "', '\\x00')");
            // prepared while devices is empty; the first EXECUTE makes and keeps each generic plan
            s.execute("PREPARE preconditions(uuid, text, uuid, uuid) AS " + RegisterDevice.PRECONDITIONS_SQL);
            s.execute("PREPARE device_token(bytea) AS " + OpaqueTokens.DEVICE_TOKEN_LOOKUP_SQL);
            s.execute("PREPARE reg_key(bytea) AS " + OpaqueTokens.REG_KEY_LOOKUP_SQL);
            s.execute("PREPARE device_by_public_key(text) AS " + EventsRoute.DEVICE_BY_PUBLIC_KEY_SQL);
            // the shape of every device read by id (devices, update-device, the watch's device)
            s.execute("PREPARE device_by_id(uuid) AS SELECT d.id FROM devices d WHERE d.id = $1 AND d.deleted_at IS NULL");
            // the shape of a user read by id (users, join-organization)
            s.execute("PREPARE user_by_id(uuid) AS SELECT u.id FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL");
            s.execute("PREPARE peer_list(uuid) AS SELECT d.id FROM devices d WHERE d.vpc_id = $1 AND d.deleted_at IS NULL"
                    + " ORDER BY d.hostname");
            String[] executions = {
                "preconditions('" + VPC + "', 'no such key', '" + KEY + "', '" + USER + "')",
                "device_token('\\x01')", "reg_key('\\x01')", "device_by_id('" + USER + "')",
                "device_by_public_key('no such key')", "user_by_id('" + USER + "')", "peer_list('" + VPC + "')"};
            for (String execution : executions) {
                s.execute("EXECUTE " + execution);
            }
            s.execute("INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, token_hash, hostname)"
                    + " SELECT gen_random_uuid(), '" + USER + "', '" + VPC + "', '" + VPC + "', 'key-' || i,"
                    + " sha256(('device-' || i)::bytea), 'host-' || i FROM generate_series(1, " + ROWS + ") i");
            s.execute("INSERT INTO users (id, idp_id, idp_issuer, user_name) SELECT gen_random_uuid(), 'user-' || i,"
                    + " 'https://issuer.example', 'user-' || i FROM generate_series(1, " + ROWS + ") i");
            s.execute("INSERT INTO reg_keys (id, owner_id, organization_id, vpc_id, token_hash) SELECT gen_random_uuid(), '"
                    + USER + "', '" + VPC + "', '" + VPC + "', sha256(('key-' || i)::bytea) FROM generate_series(1, " + ROWS + ") i");

            List<String> scans = new ArrayList<>();
            for (String execution : executions) {
                JsonNode plan = explain(s, execution);
                String name = execution.substring(0, execution.indexOf('('));
                String nodes = scans(plan);
                long buffers = plan.path("Shared Hit Blocks").asLong() + plan.path("Shared Read Blocks").asLong();
                if (name.equals("peer_list")) {
                    // the list reads every device of the VPC, in the order of its index: no sort of the whole VPC
                    if (!nodes.contains("devices_vpc_hostname_live") || nodes.contains("Sort")) {
                        scans.add(name + " does not keep its index order: " + nodes);
                    }
                } else if (buffers > MOST_BUFFERS || nodes.contains("Seq Scan")) {
                    scans.add(name + " read " + buffers + " buffers for one row among " + ROWS + ": " + nodes);
                }
            }
            assertEquals(List.of(), scans, "plans made on the empty tables that scan every live row now");
        }
    }

    /** Each node of the plan, as "Index Scan devices_pkey on devices [cond …] [filter …]". */
    private static String scans(JsonNode node) {
        StringBuilder b = new StringBuilder(node.path("Node Type").asText());
        if (node.has("Index Name")) {
            b.append(' ').append(node.get("Index Name").asText());
        }
        if (node.has("Relation Name")) {
            b.append(" on ").append(node.get("Relation Name").asText());
        }
        if (node.has("Index Cond")) {
            b.append(" cond ").append(node.get("Index Cond").asText());
        }
        if (node.has("Filter")) {
            b.append(" filter ").append(node.get("Filter").asText());
        }
        for (JsonNode child : node.path("Plans")) {
            b.append("; ").append(scans(child));
        }
        return b.toString();
    }

    /** The plan kept for the prepared statement, run: its top node with buffers and the nodes under it. */
    private static JsonNode explain(Statement s, String execution) throws Exception {
        String sql = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON) EXECUTE " + execution;
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return JSON.readTree(r.getString(1)).get(0).get("Plan");
        }
    }
}
