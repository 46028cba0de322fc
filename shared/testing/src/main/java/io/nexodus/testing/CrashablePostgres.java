package io.nexodus.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of a test's own that the test can crash and bring back, as an operator's
 * {@code pg_ctl stop -m immediate} and a restart do: the postmaster gets SIGQUIT (what that stop sends), so
 * every session ends at once with no clean shutdown, and the restart runs crash recovery, during which
 * the server answers {@code 57P03} ("the database system is starting up"). Always the embedded server
 * (its binaries come from Maven Central), whatever {@link TestPostgres} uses, since the test must own the
 * process. Linux only: it reads the postmaster's command line from {@code /proc}.
 */
public final class CrashablePostgres {

    private final EmbeddedPostgres embedded;
    private final Path dataDirectory;
    private final Path restartLog;
    private volatile Process restarted;

    private CrashablePostgres(EmbeddedPostgres embedded, Path dataDirectory) {
        this.embedded = embedded;
        this.dataDirectory = dataDirectory;
        this.restartLog = dataDirectory.resolveSibling(dataDirectory.getFileName() + "-restart.log");
    }

    public static CrashablePostgres start() {
        try {
            Path data = Files.createTempDirectory("nexodus-crashable-pg");
            // durable as a production server is: the embedded server's default (synchronous_commit=off, for
            // speed) would lose acknowledged commits in a crash, which is not what this server is for
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true)
                    .setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "on").start();
            CrashablePostgres server = new CrashablePostgres(embedded, data);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the crashable PostgreSQL", e);
        }
    }

    public TestPostgres server() {
        return new TestPostgres("localhost", embedded.getPort(), "postgres", "postgres");
    }

    /**
     * Stops the server immediately, waits {@code outage}, starts it again with the same command line and
     * returns without waiting for recovery to finish (clients see it starting up, as in production).
     */
    public void crashFor(Duration outage) throws Exception {
        long pid = postmasterPid();
        List<String> command = new ArrayList<>();
        if (io.zonky.test.db.postgres.util.LinuxUtils.isUnshareAvailable()) {
            // as the embedded server itself does when run as root: PostgreSQL refuses root, a user namespace is not
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(commandLine(pid));
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -QUIT " + pid + " failed");
        }
        postmaster.onExit().get(30, TimeUnit.SECONDS);
        Thread.sleep(outage.toMillis());
        restarted = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(restartLog.toFile()).start();
        if (!restarted.isAlive() && restarted.exitValue() != 0) {
            throw new IllegalStateException("PostgreSQL did not restart: " + command + "\n" + Files.readString(restartLog));
        }
    }

    /** Waits until the restarted server accepts sessions again (crash recovery is over). */
    public void awaitUp(Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        TestPostgres server = server();
        while (true) {
            try (java.sql.Connection ignored = java.sql.DriverManager.getConnection(server.jdbcUrl("postgres"),
                    server.user(), server.password())) {
                return;
            } catch (java.sql.SQLException starting) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL is not back after " + atMost + ": " + starting.getMessage()
                            + "\n" + Files.readString(restartLog), starting);
                }
                Thread.sleep(100);
            }
        }
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    }

    private static List<String> commandLine(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        List<String> arguments = new ArrayList<>();
        for (String argument : new String(raw, StandardCharsets.UTF_8).split("\0")) {
            if (!argument.isEmpty()) {
                arguments.add(argument);
            }
        }
        return arguments;
    }

    private void close() {
        try {
            embedded.close();
        } catch (IOException | RuntimeException ignored) {
            // the JVM is going away
        }
        Process process = restarted;
        if (process != null) {
            process.destroy();
        }
    }
}
