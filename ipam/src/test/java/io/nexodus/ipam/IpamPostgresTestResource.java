package io.nexodus.ipam;

import io.nexodus.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fresh database per {@code @QuarkusTest} class on the test JVM's PostgreSQL ({@link TestPostgres}:
 * TEST_PG_URL, Testcontainers or embedded), with IPAM's schema applied by {@link IpamMigrate}, the
 * same step a rollout runs. Nothing of IPAM is mocked.
 */
public class IpamPostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    public Map<String, String> start() {
        TestPostgres server = TestPostgres.get();
        String database = "ipam_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl("postgres"), server.user(), server.password());
                Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS " + database);
            sql.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + database, e);
        }
        String url = server.url(database);
        IpamMigrate.apply(url, server.user(), server.password());
        return Map.of(
                "quarkus.datasource.reactive.url", url,
                "quarkus.datasource.username", server.user(),
                "quarkus.datasource.password", server.password(),
                "ipam.test.jdbc-url", server.jdbcUrl(database));
    }

    @Override
    public void stop() {
        // the database goes with the JVM's server; it is small and uniquely named
    }
}
