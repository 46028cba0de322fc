package io.nexodus.ipam;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies IPAM's schema (db/ipam-migration, history in ipam_schema_history) once per rollout: by the
 * local runner, by the tests for each fresh database, as a Job in Kubernetes. The server never
 * migrates at start, so replicas scaling out do not race on DDL.
 */
public final class IpamMigrate {

    private IpamMigrate() {
    }

    /** @param url a {@code postgresql://host:port/db} URL (the reactive client's form) or a {@code jdbc:} URL */
    public static MigrateResult apply(String url, String user, String password) {
        return Flyway.configure()
                .dataSource(toJdbc(url), user, password)
                .locations("classpath:db/ipam-migration")
                .table("ipam_schema_history")
                // the IPAM tables may share a database with the Nexodus schema (local all-in-one run)
                .baselineOnMigrate(true).baselineVersion("0")
                .load()
                .migrate();
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

    /** The migration Job's entry point: PG_URL, PG_USER, PG_PASSWORD from the environment. */
    public static void main(String[] args) {
        MigrateResult result = apply(env("PG_URL", "postgresql://localhost:5432/ipam"), env("PG_USER", "postgres"),
                env("PG_PASSWORD", "postgres"));
        System.out.printf("ipam schema at version %s (%d migrations applied)%n", result.targetSchemaVersion,
                result.migrationsExecuted);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
