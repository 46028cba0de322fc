package io.nexodus.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The real IPAM server ({@code ipam/target/quarkus-app}) beside the functions under measurement, on the
 * same embedded PostgreSQL, so that a function whose first answer needs IPAM ({@code gc}) answers for
 * real. Its schema is applied by its own migration step ({@code IpamMigrate}, as the Kubernetes Job
 * does), then it is started once and kept for the whole run.
 */
final class IpamBackend implements AutoCloseable {

    static final int PORT = 28_090;

    private final Process server;

    private IpamBackend(Process server) {
        this.server = server;
    }

    static IpamBackend start(Path repo, String java, String pgUrl, Path logs) throws IOException, InterruptedException {
        Path app = repo.resolve("ipam/target/quarkus-app");
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("build the IPAM server first: " + app + " is missing");
        }
        String classPath = app.resolve("lib/main") + "/*" + File.pathSeparator + app.resolve("app") + "/*";
        ProcessBuilder migrate = new ProcessBuilder(java, "-cp", classPath, "io.nexodus.ipam.IpamMigrate")
                .redirectErrorStream(true).redirectOutput(logs.resolve("ipam-migrate.log").toFile());
        migrate.environment().putAll(Map.of("PG_URL", pgUrl, "PG_USER", "postgres", "PG_PASSWORD", "postgres"));
        if (migrate.start().waitFor() != 0) {
            throw new IllegalStateException("IPAM migration failed; see " + logs.resolve("ipam-migrate.log"));
        }
        Process server = new ProcessBuilder(List.of(java, "-Dquarkus.http.port=" + PORT,
                "-Dquarkus.datasource.reactive.url=" + pgUrl, "-Dquarkus.datasource.username=postgres",
                "-Dquarkus.datasource.password=postgres", "-jar", "quarkus-run.jar"))
                .directory(app.toFile()).redirectErrorStream(true).redirectOutput(logs.resolve("ipam.log").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("localhost", PORT), 200);
                return new IpamBackend(server);
            } catch (IOException notYet) {
                if (!server.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
        }
        server.destroyForcibly();
        throw new IllegalStateException("the IPAM server did not start; see " + logs.resolve("ipam.log"));
    }

    /** Where the functions find it. */
    Map<String, String> clientConfig() {
        return Map.of("quarkus.grpc.clients.ipam.host", "localhost", "quarkus.grpc.clients.ipam.port", String.valueOf(PORT));
    }

    @Override
    public void close() {
        server.destroy();
    }
}
