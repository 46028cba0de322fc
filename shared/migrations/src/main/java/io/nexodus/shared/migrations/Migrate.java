package io.nexodus.shared.migrations;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the versioned schema once per rollout: called by the local runner at start, by the test
 * harness for every fresh test database, and as a Kubernetes Job in {@code deploy/}. Function replicas
 * never migrate at start-up, so a scale-out does not race on DDL.
 */
public final class Migrate {

    private Migrate() {
    }

    /**
     * @param url a {@code postgresql://host:port/db} URL (the reactive client's form) or a {@code jdbc:} URL
     */
    public static MigrateResult apply(String url, String user, String password) {
        Flyway flyway = Flyway.configure()
                .dataSource(toJdbc(url), user, password)
                .locations("classpath:db/migration")
                .table("nexodus_schema_history")
                .load();
        return flyway.migrate();
    }

    static String toJdbc(String url) {
        if (url.startsWith("jdbc:")) {
            return url;
        }
        if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
            return "jdbc:postgresql://" + url.substring(url.indexOf("://") + 3);
        }
        throw new IllegalArgumentException("not a PostgreSQL URL: " + url);
    }

    /** Entry point of the migration Job: reads PG_URL, PG_USER, PG_PASSWORD from the environment. */
    public static void main(String[] args) {
        String url = env("PG_URL", "postgresql://localhost:5432/postgres");
        MigrateResult result = apply(url, env("PG_USER", "postgres"), env("PG_PASSWORD", "postgres"));
        System.out.printf("schema at version %s (%d migrations applied)%n", result.targetSchemaVersion,
                result.migrationsExecuted);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
