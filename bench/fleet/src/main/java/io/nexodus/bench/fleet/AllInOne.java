package io.nexodus.bench.fleet;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local all-in-one (every function, the IPAM server and the development token issuer in one process) as a child
 * process pointed at the simulator's PostgreSQL with {@code PG_URL}.
 */
final class AllInOne extends Stack {

    private final Path jar;
    private final Path log;
    private final int port;
    private final List<String> jvmOptions;
    private Process app;
    /** Chosen afresh at each start: the port of the stopped one may still be held by its closing connections. */
    private volatile int ipamPort;

    private AllInOne(io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg, Path jar, Path log, int port, List<String> jvmOptions) {
        super(pg);
        this.jar = jar;
        this.log = log;
        this.port = port;
        this.jvmOptions = jvmOptions;
    }

    static AllInOne start(Path jar, Path workDir, List<String> jvmOptions) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no all-in-one at " + jar + ": build it first (mvn -pl deploy/local -am package -DskipTests)");
        }
        Files.createDirectories(workDir);
        AllInOne stack = new AllInOne(startPostgres(), jar, workDir.resolve("all-in-one.log"), freePort(), jvmOptions);
        stack.startApp();
        stack.started();
        return stack;
    }

    @Override
    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    String describe() {
        return "the all-in-one, started here (" + jvmOptions + ")";
    }

    @Override
    int ipamPort() {
        return ipamPort;
    }

    @Override
    Map<String, Long> processes() {
        return Map.of("all-in-one", app.pid());
    }

    @Override
    long streamsPid() {
        return app.pid();
    }

    @Override
    String streamsName() {
        return "the all-in-one";
    }

    @Override
    void stopStreams() throws Exception {
        stop(app);
    }

    @Override
    void startStreams() throws Exception {
        startApp();
    }

    /** From its {@code /dev/token}: the development issuer signs with a key made at each start. */
    @Override
    String userToken(String username) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl()
                + "/dev/token?username=" + username)).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body()).getString("access_token");
    }

    @Override
    void stopProcesses() throws Exception {
        stop(app);
    }

    private void startApp() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("HTTPS_PORT", Integer.toString(freePort()));
        // set rather than left to the all-in-one to choose, so that the simulator knows where its IPAM listens
        ipamPort = freePort();
        pb.environment().put("IPAM_PORT", Integer.toString(ipamPort));
        pb.environment().put("PG_URL", pgUrl());
        pb.environment().put("PG_USER", "postgres");
        pb.environment().put("PG_PASSWORD", "postgres");
        // its self-made HTTPS certificate goes with the run, not into the user's home
        pb.environment().put("NEXODUS_HOME", log.getParent().toAbsolutePath().toString());
        app = pb.start();
        awaitReady(app, port, "the all-in-one", log, Duration.ofSeconds(120));
    }
}
