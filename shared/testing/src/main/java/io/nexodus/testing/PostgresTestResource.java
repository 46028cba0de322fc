package io.nexodus.testing;

import io.nexodus.shared.identity.DevTokenIssuer;
import io.nexodus.shared.migrations.AppRole;
import io.nexodus.shared.migrations.Migrate;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} class a real PostgreSQL database of its own, migrated to the current
 * schema, and a token issuer the functions trust ({@link TestTokens}). Use with
 * {@code @WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)}:
 * that scope makes Quarkus start the resource (and the application) anew for each test class, so each
 * class gets a fresh database and never sees another class's rows. (With the default scope, classes
 * with the same resources share one application and so one database.)
 *
 * <p>The server is started once per JVM, from the first of: {@code TEST_PG_URL} (with
 * {@code TEST_PG_USER}/{@code TEST_PG_PASSWORD}), Testcontainers when a Docker engine answers, or an
 * embedded PostgreSQL whose binaries come from Maven Central. No test mocks the database. The application logs in as {@link #APP_ROLE}, not as the database's owner.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    /** The role the application under test logs in as ({@link AppRole}: rows only, as in the cluster). */
    public static final String APP_ROLE = "nexodus_app";
    static final String APP_ROLE_PASSWORD = "nexodus-app-test";

    @Override
    public Map<String, String> start() {
        TestPostgres server = server();
        String database = server.createDatabase("nexodus_test");
        String url = server.url(database);
        Migrate.apply(url, server.user(), server.password());
        applyIpamSchemaIfPresent(url, server);
        // the functions log in as the cluster's functions do: a role that reads and writes rows, never the schema
        AppRole.grant(url, server.user(), server.password(), APP_ROLE, APP_ROLE_PASSWORD);
        DevTokenIssuer issuer = TestTokens.issuer();
        Map<String, String> config = new HashMap<>(issuer.config());
        config.put("nexodus.auth.issuers", "other");
        config.putAll(TestTokens.otherIssuer().configAs("other"));
        config.put("nexodus.device-token-key", DEVICE_TOKEN_KEY);
        config.put("quarkus.datasource.reactive.url", url);
        config.put("quarkus.datasource.username", APP_ROLE);
        config.put("quarkus.datasource.password", APP_ROLE_PASSWORD);
        config.put("nexodus.test.database", database);
        // free ports per application, so test JVMs of parallel builds do not collide on 8081. When the
        // IPAM server runs inside the application under test it listens on a port of its own: on the
        // HTTP port, the body handler Funqy installs would swallow the gRPC request bodies.
        int[] ports = freePorts(2);
        config.put("quarkus.http.test-port", String.valueOf(ports[0]));
        String grpcPort = String.valueOf(ports[1]);
        config.put("quarkus.grpc.server.use-separate-server", "true");
        config.put("quarkus.grpc.server.test-port", grpcPort);
        config.put("quarkus.grpc.clients.ipam.port", grpcPort);
        config.put("quarkus.grpc.clients.ipam.test-port", grpcPort);
        return config;
    }

    /** The server the class's database lives on: the JVM's shared one, unless a resource needs its own. */
    protected TestPostgres server() {
        return TestPostgres.get();
    }

    /**
     * When the IPAM server is part of the application under test (the device functions' tests run the
     * real gRPC server in-process), its tables go into the same fresh database. Looked up by name so
     * that this harness does not depend on the IPAM module.
     */
    private static void applyIpamSchemaIfPresent(String url, TestPostgres server) {
        try {
            Class<?> ipamMigrate = Class.forName("io.nexodus.ipam.IpamMigrate", true,
                    Thread.currentThread().getContextClassLoader());
            ipamMigrate.getMethod("apply", String.class, String.class, String.class)
                    .invoke(null, url, server.user(), server.password());
        } catch (ClassNotFoundException absent) {
            // no IPAM server in this application
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot apply the IPAM schema", e);
        }
    }

    /**
     * A free port for a relay in front of one of the application's connections: not one the application is
     * about to bind ({@code config} holds its ports, not bound yet).
     */
    public static String freePortBesides(Map<String, String> config) {
        String port;
        do {
            port = String.valueOf(freePorts(1)[0]);
        } while (config.containsValue(port));
        return port;
    }

    /**
     * {@code count} distinct free ports: all sockets are held open until every port is known, since a port
     * closed again may be the very next one the system hands out (two servers then collide on it).
     */
    public static int[] freePorts(int count) {
        java.net.ServerSocket[] sockets = new java.net.ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new java.net.ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no free port", e);
        } finally {
            for (java.net.ServerSocket socket : sockets) {
                try {
                    if (socket != null) {
                        socket.close();
                    }
                } catch (java.io.IOException ignored) {
                    // closing a probe socket
                }
            }
        }
    }

    /** A fixed test key for device tokens at rest (production reads NEXODUS_DEVICE_TOKEN_KEY). */
    public static final String DEVICE_TOKEN_KEY = java.util.Base64.getEncoder().encodeToString(new byte[32]);

    @Override
    public void stop() {
        // The database stays until the JVM's server goes; test databases are small and uniquely named.
    }
}
