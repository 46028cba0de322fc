package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.ipam.IpamMigrate;
import io.nexodus.shared.migrations.AppRole;
import io.nexodus.shared.migrations.Migrate;
import io.nexodus.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The functions' database role (the migration Job's last step, {@link AppRole}) against a real PostgreSQL: it
 * reads and writes rows of both schemas and can change neither. That it is enough for every function is shown
 * by the rest of the suite, whose applications all log in as that role (PostgresTestResource).
 */
class AppRoleTest {

    private static final String ROLE = "nexodus_app_roletest";
    private static final String PASSWORD = "role-test";
    private static TestPostgres server;
    private static String database;

    @BeforeAll
    static void aMigratedDatabaseWithTheRoleGranted() {
        server = TestPostgres.get();
        database = server.createDatabase("approle");
        String url = server.url(database);
        Migrate.apply(url, server.user(), server.password());
        IpamMigrate.apply(url, server.user(), server.password());
        AppRole.grant(url, server.user(), server.password(), ROLE, PASSWORD);
    }

    private static Connection asTheRole() throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(database), ROLE, PASSWORD);
    }

    @Test
    void theRoleReadsAndWritesRowsOfBothSchemas() throws SQLException {
        try (Connection sql = asTheRole(); Statement s = sql.createStatement()) {
            // a VPC row: its trigger advances the table's revision sequence, as the caller (revision is the trigger's)
            s.execute("INSERT INTO organizations (id, name) VALUES (gen_random_uuid(), 'role-test')");
            s.execute("INSERT INTO vpcs (id, organization_id, description, ipv4_cidr, ipv6_cidr, revision)"
                    + " SELECT gen_random_uuid(), id, 'role-test', '100.64.0.0/10', '200::/64', 0"
                    + " FROM organizations WHERE name = 'role-test'");
            s.execute("UPDATE vpcs SET description = 'again' WHERE description = 'role-test'");
            s.execute("DELETE FROM vpcs WHERE description = 'again'");
            s.execute("SELECT count(*) FROM ipam_prefixes");
            var version = s.executeQuery("SELECT max(version::int) FROM nexodus_schema_history WHERE success");
            assertTrue(version.next() && version.getInt(1) > 0, "the readiness check reads the schema's version");
        }
    }

    @Test
    void theRoleCannotChangeTheSchemaNorItsHistory() throws SQLException {
        List<String> admitted = new ArrayList<>();
        for (String statement : List.of(
                "CREATE TABLE intruder (id int)",
                "DROP TABLE devices",
                "ALTER TABLE devices ADD COLUMN intruder int",
                "TRUNCATE events",
                "CREATE INDEX intruder ON devices (hostname)",
                "DELETE FROM nexodus_schema_history",
                "UPDATE ipam_schema_history SET success = false",
                "CREATE OR REPLACE FUNCTION intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'")) {
            try (Connection sql = asTheRole(); Statement s = sql.createStatement()) {
                s.execute(statement);
                admitted.add(statement);
            } catch (SQLException refused) {
                if (!"42501".equals(refused.getSQLState())) { // insufficient_privilege
                    admitted.add(statement + " (failed otherwise: " + refused.getMessage() + ")");
                }
            }
        }
        assertEquals(List.of(), admitted);
    }

    @Test
    void grantingAgainChangesNothingAndCoversATableAddedSince() throws SQLException {
        String url = server.url(database);
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl(database), server.user(), server.password());
                Statement s = owner.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS added_later (id int)");
        }
        AppRole.grant(url, server.user(), server.password(), ROLE, PASSWORD);
        AppRole.grant(url, server.user(), server.password(), ROLE, PASSWORD);
        try (Connection sql = asTheRole(); Statement s = sql.createStatement()) {
            s.execute("INSERT INTO added_later VALUES (1)");
        }
    }

    @Test
    void theOwnerIsRefusedAsTheFunctionsRoleAndANameIsNotSql() {
        String url = server.url(database);
        assertThrows(IllegalArgumentException.class, () -> AppRole.grant(url, server.user(), server.password(),
                server.user(), "x"));
        assertThrows(IllegalArgumentException.class, () -> AppRole.grant(url, server.user(), server.password(),
                "app\"; DROP TABLE devices; --", "x"));
    }

    @Test
    void anOwnerThatMayNotCreateRolesNamesTheMissingRole() throws SQLException {
        // CloudNativePG's database owner: no CREATEROLE; the operator creates the functions' role
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl(database), server.user(), server.password());
                Statement s = admin.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plain_owner') THEN"
                    + " CREATE ROLE plain_owner LOGIN PASSWORD 'plain'; END IF; END $$");
        }
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> AppRole.grant(
                server.url(database), "plain_owner", "plain", "nexodus_app_absent", "x"));
        assertTrue(missing.getMessage().contains("nexodus_app_absent does not exist"), missing.getMessage());
    }
}
