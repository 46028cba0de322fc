package io.nexodus.ipam;

import io.nexodus.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A fresh database per {@code @QuarkusTest} class on the test JVM's PostgreSQL ({@link TestPostgres}:
 * TEST_PG_URL, Testcontainers or embedded), with IPAM's schema applied by {@link IpamMigrate}, the
 * same step a rollout runs. Nothing of IPAM is mocked.
 */
public class IpamPostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        TestPostgres server = TestPostgres.get();
        String database = server.createDatabase("ipam_test");
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
