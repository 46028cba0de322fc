package io.nexodus.bench.fleet;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What the simulator runs against when it starts the stack itself: a PostgreSQL of its own (the only shared piece,
 * with {@code pg_stat_statements} preloaded so the report can say which statements the fleet costs) and the
 * functions as child processes pointed at it: the local all-in-one ({@link AllInOne}), or each function in a
 * process of its own behind the front door ({@link FunctionProcesses}). Because the database outlives them, the
 * process that holds the watch streams can be restarted mid-run (the reconnect phase) without losing the fleet.
 */
abstract class Stack implements AutoCloseable {

    final EmbeddedPostgres pg;
    /** When the stack began to start (PostgreSQL first), for how long its start took. */
    private final long born = System.nanoTime();
    private double startSeconds;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    Stack(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /** Called once everything answers. */
    void started() {
        startSeconds = (System.nanoTime() - born) / 1e9;
    }

    /** From PostgreSQL's start (after its own) to every process ready. */
    double startSeconds() {
        return startSeconds;
    }

    static EmbeddedPostgres startPostgres() throws Exception {
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
        return pg;
    }

    /** Where the agents send every request. */
    abstract String baseUrl();

    /** What the report calls the target. */
    abstract String describe();

    /** The IPAM gRPC port (loopback): the direct baseline calls it. */
    abstract int ipamPort();

    /** The stack's processes besides PostgreSQL, by name, for CPU and memory. */
    abstract Map<String, Long> processes();

    /** The process that holds the watch streams (the all-in-one, or fetch-peers). */
    abstract long streamsPid();

    /** What the report calls the process that holds the streams. */
    abstract String streamsName();

    /** SIGTERM to the process that holds the streams (a Knative scale-down or new revision), until it exits. */
    abstract void stopStreams() throws Exception;

    /** Starts it again, until it is ready. */
    abstract void startStreams() throws Exception;

    /** A user's access token the stack trusts, without the {@code Bearer } prefix. */
    abstract String userToken(String username) throws Exception;

    /** Stops what {@link #close} stops besides PostgreSQL. */
    abstract void stopProcesses() throws Exception;

    String pgUrl() {
        return "postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    DataSource database() {
        return pg.getPostgresDatabase();
    }

    /** The database's port on localhost (user and password postgres), for the direct baseline's own pool. */
    int pgPort() {
        return pg.getPort();
    }

    /** The postmaster's pid (the parent of any backend): its children are every backend, so /proc gives PostgreSQL's CPU whole. */
    long pgPid() throws Exception {
        try (var c = database().getConnection(); var s = c.createStatement(); var r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return Proc.parentOf(r.getLong(1));
        }
    }

    /** SIGTERM, then SIGKILL after a minute: a replica ends its streams cleanly first. */
    static void stop(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Until {@code process} answers 200 on {@code /q/health/ready} (its database included). */
    static void awaitReady(Process process, int port, String what, Path log, Duration within) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(what + " was not ready within " + within + "; see " + log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return; // once: the run's end and the shutdown hook both close
        }
        try {
            stopProcesses();
        } finally {
            pg.close();
        }
    }
}
