package io.nexodus.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real IPAM server, packaged ({@code ipam/target/quarkus-app}), as a child process on a PostgreSQL of the
 * caller's: its schema first by its own migration step ({@code IpamMigrate}, as the Kubernetes Job runs it), then
 * the server, awaited on its gRPC port. For the tools that start a stack of processes (the fleet simulator, the
 * cold-start harness); a test inside the build uses {@link TestIpam}.
 */
public final class IpamServerProcess implements AutoCloseable {

    private final Process process;
    public final int port;

    private IpamServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * @param app        the packaged server ({@code <repo>/ipam/target/quarkus-app})
     * @param java       the java binary to run it with
     * @param jvmOptions options for the server's JVM (not the migration's)
     * @param database   {@code PG_URL}, {@code PG_USER}, {@code PG_PASSWORD} (and anything else both read from
     *                   their environment)
     * @param logs       where {@code ipam-migrate.log} and {@code ipam.log} go
     */
    public static IpamServerProcess start(Path app, String java, List<String> jvmOptions, Map<String, String> database,
            int port, Path logs, Duration within) throws IOException, InterruptedException {
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("no " + app.resolve("quarkus-run.jar") + ": package the IPAM server first"
                    + " (mvn -pl ipam -am package -DskipTests)");
        }
        Files.createDirectories(logs);
        String classPath = app.resolve("lib/main") + File.separator + "*" + File.pathSeparator + app.resolve("app")
                + File.separator + "*";
        Path migrateLog = logs.resolve("ipam-migrate.log");
        ProcessBuilder migrate = new ProcessBuilder(java, "-cp", classPath, "io.nexodus.ipam.IpamMigrate")
                .redirectErrorStream(true).redirectOutput(migrateLog.toFile());
        migrate.environment().putAll(database);
        if (migrate.start().waitFor() != 0) {
            throw new IllegalStateException("the IPAM migration failed; see " + migrateLog);
        }
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", app.resolve("quarkus-run.jar").toString()));
        Path log = logs.resolve("ipam.log");
        ProcessBuilder server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        server.environment().putAll(database);
        server.environment().put("PORT", Integer.toString(port));
        Process process = server.start();
        Tools.awaitListening(process, port, "the IPAM server", log, within);
        return new IpamServerProcess(process, port);
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
