package io.nexodus.shared.migrations;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The role the functions and IPAM log in as: it may read and write rows and nothing more. The schema belongs to
 * the owner the migration Job logs in as; the functions' role cannot create, alter or drop a table, cannot
 * truncate one, and may only read the schema history (the readiness check reads it). So a bug or an injected
 * statement in a function cannot change the schema, and a leaked function credential cannot either.
 *
 * <p>Run by the migration Job after both schemas (and by the test harness for every test database, so every
 * test runs with the privileges a function has in the cluster). Each run grants on every table and sequence
 * there is, so a table added by a migration is covered by the next run. Creates the role when it is missing and
 * the owner may create roles (the base's PostgreSQL, whose owner is its superuser); under CloudNativePG the
 * operator creates it (the Cluster's {@code managed.roles}) and this step only grants, failing while it does
 * not exist yet (the Job retries).
 */
public final class AppRole {

    private static final Pattern ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private AppRole() {
    }

    /**
     * Makes {@code role} able to use the database at {@code url} as a function does, as its owner.
     *
     * @return the statements run (for the Job's log)
     */
    public static List<String> grant(String url, String owner, String ownerPassword, String role, String rolePassword) {
        if (!ROLE_NAME.matcher(role).matches()) {
            throw new IllegalArgumentException("PG_APP_USER must be a lower-case SQL name: " + role);
        }
        if (role.equals(owner)) {
            throw new IllegalArgumentException("the functions' role must not be the schema's owner (" + owner + ")");
        }
        List<String> done = new ArrayList<>();
        try (Connection sql = DriverManager.getConnection(Migrate.toJdbc(url), owner, ownerPassword)) {
            sql.setAutoCommit(false);
            if (!exists(sql, role)) {
                if (!mayCreateRoles(sql)) {
                    throw new IllegalStateException("role " + role + " does not exist and " + owner
                            + " may not create it: create it first (CloudNativePG: the Cluster's managed.roles)");
                }
                run(sql, done, literal(sql, "CREATE ROLE %I LOGIN PASSWORD %L", role, rolePassword), "CREATE ROLE " + role);
            }
            String quoted = "\"" + role + "\"";
            run(sql, done, "GRANT CONNECT ON DATABASE \"" + currentDatabase(sql) + "\" TO " + quoted, null);
            run(sql, done, "GRANT USAGE ON SCHEMA public TO " + quoted, null);
            run(sql, done, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + quoted, null);
            // the revision sequences advance in the tables' triggers, which run as the caller
            run(sql, done, "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + quoted, null);
            for (String history : historyTables(sql)) {
                run(sql, done, "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON \"" + history + "\" FROM " + quoted, null);
            }
            sql.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("granting " + role + " on " + url + ": " + e.getMessage(), e);
        }
        return done;
    }

    private static boolean exists(Connection sql, String role) throws SQLException {
        try (PreparedStatement q = sql.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            q.setString(1, role);
            try (ResultSet r = q.executeQuery()) {
                return r.next();
            }
        }
    }

    private static boolean mayCreateRoles(Connection sql) throws SQLException {
        try (Statement q = sql.createStatement();
                ResultSet r = q.executeQuery("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")) {
            return r.next() && r.getBoolean(1);
        }
    }

    private static String currentDatabase(Connection sql) throws SQLException {
        try (Statement q = sql.createStatement(); ResultSet r = q.executeQuery("SELECT current_database()")) {
            r.next();
            return r.getString(1).replace("\"", "\"\"");
        }
    }

    private static List<String> historyTables(Connection sql) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement q = sql.createStatement(); ResultSet r = q.executeQuery(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '%schema\\_history'")) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        return tables;
    }

    /** PostgreSQL quotes the name and the password itself: DDL takes no bind parameters. */
    private static String literal(Connection sql, String format, String name, String value) throws SQLException {
        try (PreparedStatement q = sql.prepareStatement("SELECT format(?, ?, ?)")) {
            q.setString(1, format);
            q.setString(2, name);
            q.setString(3, value);
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }

    private static void run(Connection sql, List<String> done, String statement, String logged) throws SQLException {
        try (Statement s = sql.createStatement()) {
            s.execute(statement);
        }
        done.add(logged != null ? logged : statement);
    }

    /**
     * The migration Job's last step: {@code PG_URL} and {@code IPAM_PG_URL} as the owner ({@code PG_USER},
     * {@code PG_PASSWORD}), for the functions' role {@code PG_APP_USER} ({@code PG_APP_PASSWORD}).
     */
    public static void main(String[] args) {
        String owner = env("PG_USER");
        String password = env("PG_PASSWORD");
        String role = env("PG_APP_USER");
        String rolePassword = env("PG_APP_PASSWORD");
        for (String url : List.of(env("PG_URL"), env("IPAM_PG_URL"))) {
            grant(url, owner, password, role, rolePassword).forEach(s -> System.out.println(url + ": " + s));
        }
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value;
    }
}
