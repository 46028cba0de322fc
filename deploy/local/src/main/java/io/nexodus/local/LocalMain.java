package io.nexodus.local;

import io.nexodus.shared.identity.DevTokenIssuer;
import io.nexodus.ipam.IpamMigrate;
import io.nexodus.shared.migrations.Migrate;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The local all-in-one: every function module on one port in one process, with an embedded PostgreSQL
 * (migrated at start) and a development token issuer, so a new user can try the API at once. The
 * functions are whatever modules this module depends on; nothing here names them.
 *
 * <p>The device-token key and the service token (gc's schedule) are made afresh at each start unless
 * {@code NEXODUS_DEVICE_TOKEN_KEY} / {@code NEXODUS_SERVICE_TOKEN} are set (with the embedded database
 * starting empty, nothing outlives them anyway).
 *
 * <p>Set {@code PG_URL} (and {@code PG_USER}/{@code PG_PASSWORD}) to use an existing PostgreSQL instead of
 * the embedded one.
 */
@QuarkusMain
public class LocalMain {

    /** Which PostgreSQL this run uses, for the banner. */
    private static String database;

    /** The HTTPS certificate this run uses, for the banner. */
    private static LocalTls.Files certificate;

    public static void main(String... args) throws IOException {
        String pgUrl = System.getenv("PG_URL");
        database = "PostgreSQL " + (pgUrl == null || pgUrl.isBlank() ? "embedded" : "from PG_URL (external)");
        String user = env("PG_USER", "postgres");
        String password = env("PG_PASSWORD", "postgres");
        if (pgUrl == null || pgUrl.isBlank()) {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }));
            pgUrl = "postgresql://localhost:" + pg.getPort() + "/postgres";
            user = "postgres";
            password = "postgres";
        }
        Migrate.apply(pgUrl, user, password);
        IpamMigrate.apply(pgUrl, user, password);

        String port = env("PORT", "8080");
        String httpsPort = env("HTTPS_PORT", "8443");
        LocalTls.Files tls;
        try {
            tls = LocalTls.choose(System.getenv("TLS_CERT"), System.getenv("TLS_KEY"), Path.of(env("NEXODUS_HOME",
                    Path.of(System.getProperty("user.home"), ".nexodus-functions").toString())));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot make the local HTTPS certificate", e);
        }
        certificate = tls;
        String ipamPort;
        try {
            ipamPort = Integer.toString(IpamPort.choose(System.getenv("IPAM_PORT")));
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("Nexodus Functions (local all-in-one) cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        DevTokenIssuer issuer = DevTokenIssuer.create("http://localhost:" + port + "/dev");
        DevTokens.issuer = issuer;
        issuer.config().forEach(System::setProperty);
        setIfAbsent(Map.of(
                "quarkus.datasource.reactive.url", pgUrl,
                "quarkus.datasource.username", user,
                "quarkus.datasource.password", password,
                "quarkus.http.port", port,
                // the IPAM backend runs in this process; its gRPC listens on a loopback port of its own
                // (on the HTTP port, the body handler Funqy installs would swallow gRPC request bodies)
                "quarkus.grpc.server.use-separate-server", "true",
                "quarkus.grpc.server.host", "127.0.0.1",
                "quarkus.grpc.server.port", ipamPort,
                // the address the server binds, not "localhost", which may resolve to ::1 and another process
                "quarkus.grpc.clients.ipam.host", "127.0.0.1",
                "quarkus.grpc.clients.ipam.port", ipamPort,
                "nexodus.device-token-key", env("NEXODUS_DEVICE_TOKEN_KEY", RandomSecrets.newSecret())));
        // HTTPS beside HTTP, for nexd (which takes only an https:// service URL, then calls api.<host>)
        setIfAbsent(Map.of("quarkus.http.ssl-port", httpsPort,
                "quarkus.http.ssl.certificate.files", tls.certificate().toString(),
                "quarkus.http.ssl.certificate.key-files", tls.key().toString(),
                "quarkus.http.insecure-requests", "enabled"));
        setIfAbsent(Map.of("nexodus.auth.service-token", env("NEXODUS_SERVICE_TOKEN", RandomSecrets.newSecret()),
                // /dev/token mints a token for any name: only this machine may reach it unless HOST says otherwise
                "quarkus.http.host", env("HOST", "127.0.0.1")));
        Quarkus.run(Banner.class, args);
    }

    /** Runs once the HTTP port is open: tells the user where to go. */
    public static class Banner implements QuarkusApplication {
        @Override
        public int run(String... args) {
            int port = ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class);
            String url = "http://localhost:" + port;
            String token = DevTokens.issuer.token("admin");
            String serviceToken = ConfigProvider.getConfig().getValue("nexodus.auth.service-token", String.class);
            System.out.printf("""

                    Nexodus Functions (local all-in-one) listening on %1$s
                      every function on this one port; %5$s, migrated; IPAM on 127.0.0.1:%4$s
                      a token for user "admin" (1 hour); another user's: curl '%1$s/dev/token?username=bob'

                    Try:
                      curl -H "Authorization: Bearer %2$s" %1$s/api/users/me
                      curl -H "Authorization: Bearer %2$s" %1$s/api/organizations

                    Housekeeping (gc) as the cluster's schedule runs it, with this run's service token:
                      curl -H "Authorization: Bearer %3$s" %1$s/private/gc

                    HTTPS (for nexd) on https://localhost:%6$s and https://api.localhost:%6$s, certificate %7$s
                      (%8$s; trust it, or give your own with TLS_CERT and TLS_KEY): README "A real nexd"

                    """, url, token, serviceToken,
                    ConfigProvider.getConfig().getValue("quarkus.grpc.server.port", String.class), database,
                    ConfigProvider.getConfig().getValue("quarkus.http.ssl-port", String.class), certificate.certificate(),
                    certificate.made() ? "made now, kept for the next starts" : "kept from an earlier start or yours");
            Quarkus.waitForExit();
            return 0;
        }
    }

    private static void setIfAbsent(Map<String, String> properties) {
        properties.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
