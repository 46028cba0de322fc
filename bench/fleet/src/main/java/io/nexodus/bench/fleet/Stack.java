package io.nexodus.bench.fleet;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the simulator runs against when it starts the stack itself: a PostgreSQL of its own (the only shared piece,
 * with {@code pg_stat_statements} preloaded so the report can say which statements the fleet costs) and the local
 * all-in-one as a child process pointed at it with {@code PG_URL}. Because the database outlives the all-in-one, the
 * all-in-one can be restarted mid-run (the reconnect phase) without losing the fleet.
 */
final class Stack implements AutoCloseable {

    final EmbeddedPostgres pg;
    private final Path jar;
    private final Path log;
    final int port;
    private final List<String> jvmOptions;
    private Process app;
    /** The all-in-one's IPAM gRPC port (loopback), chosen afresh at each start: the direct baseline calls it. */
    private volatile int ipamPort;

    private Stack(EmbeddedPostgres pg, Path jar, Path log, int port, List<String> jvmOptions) {
        this.pg = pg;
        this.jar = jar;
        this.log = log;
        this.port = port;
        this.jvmOptions = jvmOptions;
    }

    static Stack start(Path jar, Path workDir, List<String> jvmOptions) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no all-in-one at " + jar + ": build it first (mvn -pl deploy/local -am package -DskipTests)");
        }
        Files.createDirectories(workDir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all")
                // a fleet's streams and bursts need more than the embedded default of 300 only if the app asks;
                // its pool is bounded, so this just leaves room for the simulator's own reads
                .setServerConfig("max_connections", "300")
                .start();
        try (var c = pg.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
        Stack stack = new Stack(pg, jar, workDir.resolve("all-in-one.log"), freePort(), jvmOptions);
        stack.startApp();
        return stack;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    DataSource database() {
        return pg.getPostgresDatabase();
    }

    /** The database's port on localhost (user and password postgres), for the direct baseline's own pool. */
    int pgPort() {
        return pg.getPort();
    }

    int ipamPort() {
        return ipamPort;
    }

    long appPid() {
        return app.pid();
    }

    /** The postmaster's pid (the parent of any backend): its children are every backend, so /proc gives PostgreSQL's CPU whole. */
    long pgPid() throws Exception {
        try (var c = database().getConnection(); var s = c.createStatement(); var r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return Proc.parentOf(r.getLong(1));
        }
    }

    void startApp() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("HTTPS_PORT", Integer.toString(freePort()));
        // set rather than left to the all-in-one to choose, so that the simulator knows where its IPAM listens; a
        // fresh one at each start, since the port of the stopped one may still be held by its closing connections
        ipamPort = freePort();
        pb.environment().put("IPAM_PORT", Integer.toString(ipamPort));
        pb.environment().put("PG_URL", "postgresql://localhost:" + pg.getPort() + "/postgres");
        pb.environment().put("PG_USER", "postgres");
        // its self-made HTTPS certificate goes with the run, not into the user's home
        pb.environment().put("NEXODUS_HOME", log.getParent().toAbsolutePath().toString());
        pb.environment().put("PG_PASSWORD", "postgres");
        app = pb.start();
        awaitReady(Duration.ofSeconds(120));
    }

    /** SIGTERM, as Knative scales a replica down or rolls a new revision: it ends its streams cleanly first. */
    void stopApp() throws InterruptedException {
        if (app != null && app.isAlive()) {
            app.destroy();
            if (!app.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor();
            }
        }
    }

    private void awaitReady(Duration within) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new IllegalStateException("the all-in-one exited with " + app.exitValue() + "; see " + log);
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the all-in-one was not ready within " + within + "; see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stopApp();
        } finally {
            pg.close();
        }
    }
}
