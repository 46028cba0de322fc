package io.nexodus.tests;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A packaged application ({@code quarkus-run.jar}) in a process of its own, on this test application's database:
 * another replica, or another build of a function. It gets the database, the device-token key and a free HTTP port,
 * plus what the caller adds; it is awaited until it listens, and stopped on close.
 */
final class OwnProcess implements AutoCloseable {

    private final Process process;
    final String base;

    private OwnProcess(Process process, int port) {
        this.process = process;
        this.base = "http://localhost:" + port;
    }

    static OwnProcess start(String name, Path jar, Map<String, String> env) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(name + " is not packaged: " + jar + " (run mvn verify from the top)");
        }
        Config config = ConfigProvider.getConfig();
        int port = PostgresTestResource.freePorts(1)[0];
        Path log = Files.createTempFile(Path.of("target"), name + "-", ".log");
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PG_URL", config.getValue("quarkus.datasource.reactive.url", String.class));
        builder.environment().put("PG_USER", config.getValue("quarkus.datasource.username", String.class));
        builder.environment().put("PG_PASSWORD", config.getValue("quarkus.datasource.password", String.class));
        // the port as the all-in-one reads it, and as a function does (which listens on Quarkus's 8080 otherwise)
        builder.environment().put("PORT", String.valueOf(port));
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        builder.environment().put("NEXODUS_DEVICE_TOKEN_KEY", PostgresTestResource.DEVICE_TOKEN_KEY);
        builder.environment().putAll(env);
        Process process = builder.start();
        Tools.awaitListening(process, port, name, log, Duration.ofSeconds(60));
        return new OwnProcess(process, port);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
