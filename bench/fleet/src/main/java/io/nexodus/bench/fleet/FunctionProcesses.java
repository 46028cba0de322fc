package io.nexodus.bench.fleet;

import io.nexodus.shared.identity.DevTokenIssuer;
import io.nexodus.shared.migrations.Migrate;
import io.nexodus.testing.HaproxyProcess;
import io.nexodus.testing.IpamServerProcess;
import io.nexodus.testing.Tools;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deployment's shape on one machine: each function behind the front door in a process of its own (its packaged
 * {@code functions/<name>/target/quarkus-app}), the IPAM server in another, and the real HAProxy running the
 * committed front-door configuration ({@code deploy/base/front-door/haproxy.cfg}, generated from the route table) with
 * each {@code server} line pointed at its function's local port instead of its Knative Service. Every process gets
 * the deployment's settings ({@code deploy/base/config.yaml}: a replica's pool of {@code PG_POOL_SIZE}, the shutdown
 * wait, the flags) with the addresses made local, the secrets made up for the run, and tokens from a development
 * issuer of the simulator's, which every function trusts ({@code OIDC_ISSUER}, {@code OIDC_JWKS}). The schemas are
 * applied before any function starts, as the migration Jobs do; IPAM's tables share the functions' database, as in
 * the all-in-one. What the cluster adds (Knative's activator and queue-proxy, several replicas, the Broker) is not
 * here. gc, which the door does not route, is not started.
 */
final class FunctionProcesses extends Stack {

    static final String FRONT_DOOR = "deploy/base/front-door/haproxy.cfg";
    static final String SETTINGS = "deploy/base/config.yaml";
    private static final Pattern SERVER = Pattern.compile("(?m)^\\s+server (\\S+) \"");
    /** Upstreams of the door that are not functions of this repository. */
    private static final List<String> NOT_FUNCTIONS = List.of("console");

    private final Path repo;
    private final Path logs;
    private final List<String> jvmOptions;
    private final DevTokenIssuer issuer = DevTokenIssuer.create("http://fleet.local/issuer");
    /** What every process is started with: the deployment's settings, made local. */
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> functions = new LinkedHashMap<>();
    private final int ipamPort;
    private IpamServerProcess ipam;
    private HaproxyProcess door;

    private FunctionProcesses(EmbeddedPostgres pg, Path repo, Path logs, List<String> jvmOptions) throws Exception {
        super(pg);
        this.repo = repo;
        this.logs = logs;
        this.jvmOptions = jvmOptions;
        this.ipamPort = freePort();
        environment.putAll(deploymentSettings(repo));
        // Keycloak is not here: login (the auth function's device flow) is not part of a fleet run
        environment.remove("OIDC_DISCOVERY_URL");
        environment.putAll(Map.of("PG_URL", pgUrl(), "PG_USER", "postgres", "PG_PASSWORD", "postgres",
                "IPAM_HOST", "127.0.0.1", "IPAM_PORT", Integer.toString(ipamPort),
                "OIDC_ISSUER", issuer.issuer(), "OIDC_JWKS", issuer.publicKeyLocation(), "OIDC_AUDIENCE", "account",
                "NEXODUS_DEVICE_TOKEN_KEY", randomKey()));
    }

    /** 32 random bytes, base64: the device tokens' key at rest, made up for the run. */
    private static String randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    /** The {@code data} of the functions' ConfigMap. */
    static Map<String, String> deploymentSettings(Path repo) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode data = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(repo.resolve(SETTINGS).toFile()).path("data");
        Map<String, String> settings = new LinkedHashMap<>();
        data.fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
        if (settings.isEmpty()) {
            throw new IllegalStateException("no settings in " + SETTINGS);
        }
        return settings;
    }

    static FunctionProcesses start(Path repo, Path workDir, List<String> jvmOptions) throws Exception {
        Path haproxy = Tools.find("haproxy").orElseThrow(() -> new IllegalStateException(
                "--topology=functions runs the real front door: install haproxy (Debian: apt-get install -y haproxy)"));
        String config = Files.readString(repo.resolve(FRONT_DOOR));
        List<String> names = functionsBehind(config);
        for (String name : names) {
            if (!Files.isRegularFile(runner(repo, name))) {
                throw new IllegalStateException("no " + runner(repo, name) + ": package the functions first (mvn package -DskipTests)");
            }
        }
        Path logs = Files.createDirectories(workDir.resolve("processes"));
        FunctionProcesses stack = new FunctionProcesses(startPostgres(), repo, logs, jvmOptions);
        try {
            Migrate.apply(stack.pgUrl(), "postgres", "postgres");
            stack.startIpam();
            // all at once, then each awaited: on two cores a dozen JVMs start in about the time of a few
            for (String name : names) {
                stack.ports.put(name, freePort());
                stack.functions.put(name, stack.spawn(name));
            }
            for (String name : names) {
                awaitReady(stack.functions.get(name), stack.ports.get(name), name, stack.log(name), Duration.ofSeconds(180));
            }
            // the console is not started: its server line points at a port nothing listens on
            stack.door = HaproxyProcess.start(haproxy, config, freePort(), stack.ports, Map.of(), workDir.resolve("front-door"));
        } catch (Exception e) {
            stack.close();
            throw e;
        }
        stack.started();
        return stack;
    }

    /** The functions the door routes to, in the order of their first {@code server} line. */
    static List<String> functionsBehind(String config) {
        List<String> names = new ArrayList<>();
        Matcher m = SERVER.matcher(config);
        while (m.find()) {
            if (!names.contains(m.group(1)) && !NOT_FUNCTIONS.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("no server line in " + FRONT_DOOR);
        }
        return names;
    }

    private static Path runner(Path repo, String function) {
        return repo.resolve("functions").resolve(function).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private Path log(String name) {
        return logs.resolve(name + ".log");
    }

    /** The schema first, as the IPAM migration Job runs the image's {@code IpamMigrate}; then the server. */
    private void startIpam() throws Exception {
        ipam = IpamServerProcess.start(repo.resolve("ipam/target/quarkus-app"), java(), jvmOptions, environment, ipamPort,
                logs, Duration.ofSeconds(120));
    }

    private Process spawn(String name) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(jvmOptions);
        cmd.add("-Dquarkus.http.port=" + ports.get(name));
        cmd.addAll(List.of("-jar", runner(repo, name).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
        pb.environment().putAll(environment);
        return pb.start();
    }

    @Override
    String baseUrl() {
        return door.base();
    }

    @Override
    String describe() {
        return "each function in its own process (" + String.join(", ", functions.keySet()) + "; " + jvmOptions
                + "), the IPAM server in another, behind HAProxy running " + FRONT_DOOR + ", started here";
    }

    @Override
    int ipamPort() {
        return ipamPort;
    }

    @Override
    Map<String, Long> processes() {
        Map<String, Long> pids = new LinkedHashMap<>();
        functions.forEach((name, process) -> pids.put(name, process.pid()));
        pids.put("ipam", ipam.pid());
        pids.put("front door", door.pid());
        return pids;
    }

    @Override
    long streamsPid() {
        return functions.get("fetch-peers").pid();
    }

    @Override
    String streamsName() {
        return "fetch-peers";
    }

    @Override
    void stopStreams() throws Exception {
        stop(functions.get("fetch-peers"));
    }

    /** On the same port: the door sends the reconnecting agents to it once it listens again. */
    @Override
    void startStreams() throws Exception {
        functions.put("fetch-peers", spawn("fetch-peers"));
        awaitReady(functions.get("fetch-peers"), ports.get("fetch-peers"), "fetch-peers", log("fetch-peers"), Duration.ofSeconds(120));
    }

    @Override
    String userToken(String username) {
        return issuer.token(username);
    }

    @Override
    void stopProcesses() throws Exception {
        if (door != null) {
            door.close();
        }
        for (Process function : functions.values()) {
            function.destroy(); // all at once: each ends its work on SIGTERM
        }
        for (Process function : functions.values()) {
            stop(function);
        }
        stop(ipam == null ? null : ipam.process());
    }
}
