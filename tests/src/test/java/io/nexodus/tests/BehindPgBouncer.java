package io.nexodus.tests;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestPostgres;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link PostgresTestResource} (schema applied directly, as the migration Job does), with the application's pool
 * through {@link PgBouncerProcess} in transaction mode, two server connections for its eight, and its documented
 * setting for such a pooler ({@code PG_LAYER7_PROXY=true}, README "Configuration"); fetch-peers'
 * change signals go to PostgreSQL directly, as the component sends fetch-peers (a LISTEN needs a session). Where
 * PgBouncer is not installed nothing is put between them and {@code nexodus.test.pgbouncer} says so: the test then
 * fails (CI) or is skipped loudly.
 */
public class BehindPgBouncer extends PostgresTestResource {

    static final int SERVER_CONNECTIONS = 2;

    private PgBouncerProcess bouncer;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        Optional<Path> binary = PgBouncerProcess.binary();
        if (binary.isEmpty()) {
            config.put("nexodus.test.pgbouncer", "missing");
            return config;
        }
        TestPostgres server = server();
        String database = config.get("nexodus.test.database");
        try {
            bouncer = PgBouncerProcess.start(binary.get(), server.host(), server.port(),
                    Map.of(APP_ROLE, config.get("quarkus.datasource.password")), SERVER_CONNECTIONS,
                    Integer.parseInt(freePortBesides(config)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot start pgbouncer", e);
        }
        config.put("nexodus.test.pgbouncer", Integer.toString(bouncer.port));
        config.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + bouncer.port + "/" + database);
        config.put("quarkus.datasource.reactive.max-size", "8");
        config.put("nexodus.signals.port", Integer.toString(server.port()));
        config.put("PG_LAYER7_PROXY", "true");
        return config;
    }

    @Override
    public void stop() {
        if (bouncer != null) {
            bouncer.close();
        }
        super.stop();
    }
}
