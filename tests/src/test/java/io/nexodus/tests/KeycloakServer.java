package io.nexodus.tests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real Keycloak for KeycloakTest: the distribution the tests module unpacks from Maven Central
 * ({@code org.keycloak:keycloak-quarkus-dist}, pom.xml), started in development mode on free ports with the
 * realm of deploy/components/keycloak imported (plus the test's users and clients, and a second realm).
 * Keycloak needs Java 21 or later; where none is found the test is skipped loudly, or fails when CI=true.
 */
final class KeycloakServer {

    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "admin-test-only";

    /** Why Keycloak is not running, or null once it is. */
    static volatile String unavailable = "not started";
    static volatile String baseUrl;
    private static Process process;

    private KeycloakServer() {
    }

    /** The realm's issuer URL. */
    static String issuer(String realm) {
        return baseUrl + "/realms/" + realm;
    }

    /** The secret of the realm's confidential nexodus-web client in the test realm. */
    static final String WEB_CLIENT_SECRET = "web-secret-test-only";

    /** @param appPort the test application's port: nexodus-web may send browsers back to its /web/ routes */
    static synchronized void start(int httpPort, int managementPort, int appPort) {
        Optional<Path> java = Tools.jdk(21);
        Optional<Path> home;
        try {
            home = distribution();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot unpack Keycloak: " + e.getMessage(), e);
        }
        if (java.isEmpty()) {
            unavailable = "no JDK 21+ found (JAVA_HOME, KEYCLOAK_JAVA_HOME, /usr/lib/jvm): Keycloak 26 needs one";
            return;
        }
        if (home.isEmpty()) {
            unavailable = "the Keycloak distribution is not in tests/target/keycloak.tar.gz (mvn -pl tests verify copies it)";
            return;
        }
        try {
            Path dir = home.get();
            Path data = dir.resolve("data");
            deleteTree(data.resolve("h2")); // a fresh store: the realms are imported anew
            deleteTree(data.resolve("import"));
            Files.createDirectories(data.resolve("import"));
            JsonObject realm = new JsonObject(Files.readString(Repo.root().resolve("deploy/components/keycloak/nexodus-realm.json")));
            Files.writeString(data.resolve("import/nexodus-realm.json"), testRealm(realm.copy(), "nexodus", appPort).encodePrettily());
            Files.writeString(data.resolve("import/other-realm.json"), testRealm(realm.copy(), "other", appPort).encodePrettily());
            ProcessBuilder builder = new ProcessBuilder("sh", dir.resolve("bin/kc.sh").toString(), "start-dev",
                    "--http-port=" + httpPort, "--http-management-port=" + managementPort, "--import-realm",
                    // one fixed public URL, as the KIND overlay sets KC_HOSTNAME: tokens name it whichever address
                    // asked, and the functions reach the server by another (the backchannel, KeycloakTestResource)
                    "--hostname=http://localhost:" + httpPort)
                    .redirectErrorStream(true)
                    .redirectOutput(Repo.root().resolve("tests/target/keycloak.log").toFile());
            builder.environment().put("JAVA_HOME", java.get().toString());
            builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
            builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
            builder.environment().remove("JAVA_OPTS");
            Instant begin = Instant.now();
            process = builder.start();
            baseUrl = "http://localhost:" + httpPort;
            awaitDiscovery(Duration.ofMinutes(15));
            System.out.printf("keycloak: started in %d s (tests/target/keycloak.log)%n",
                    Duration.between(begin, Instant.now()).toSeconds());
            unavailable = null;
        } catch (IOException | InterruptedException e) {
            stop();
            throw new IllegalStateException("Keycloak did not start (tests/target/keycloak.log): " + e.getMessage(), e);
        }
    }

    /**
     * For a test that needs this server: passes when it runs; else fails under CI=true and is skipped, loudly, on a
     * developer's machine (a missing JDK 21+ or distribution: never a silent pass).
     */
    static void requireRunning(String test) {
        String why = unavailable;
        if (why == null) {
            return;
        }
        throw Tools.missing(test + ": Keycloak cannot run: " + why, test + " must run in CI",
                "install a JDK 21 or later (e.g. Temurin 25 under /usr/lib/jvm)");
    }

    static synchronized void stop() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process = null;
        }
    }

    /**
     * The deployed realm as the test needs it: its users, a client whose tokens expire in seconds (expiry
     * and a disabled user), one whose tokens lack our audience; renamed for the second realm.
     */
    private static JsonObject testRealm(JsonObject realm, String name, int appPort) {
        realm.put("realm", name);
        JsonArray clients = realm.getJsonArray("clients");
        JsonObject web = clients.stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("clientId").equals("nexodus-web")).findFirst().orElseThrow();
        web.put("secret", WEB_CLIENT_SECRET);
        web.getJsonArray("redirectUris").add("http://localhost:" + appPort + "/web/*");
        JsonObject cli = clients.stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("clientId").equals("nexodus-cli")).findFirst().orElseThrow();
        JsonObject shortLived = cli.copy().put("clientId", "nexodus-short").put("name", "test: 5 s tokens");
        shortLived.put("attributes", cli.getJsonObject("attributes").copy().put("access.token.lifespan", "5"));
        clients.add(shortLived);
        clients.add(cli.copy().put("clientId", "nexodus-noaud").put("name", "test: no audience mapper")
                .put("protocolMappers", new JsonArray()));
        realm.put("users", new JsonArray()
                .add(user("alice", "Alice", "Liddell"))
                .add(user("bob", "Bob", "Builder"))
                .add(user("carol", "Carol", "Danvers")));
        return realm;
    }

    private static JsonObject user(String name, String first, String last) {
        return new JsonObject().put("username", name).put("enabled", true).put("email", name + "@example.org")
                .put("emailVerified", true).put("firstName", first).put("lastName", last)
                .put("realmRoles", new JsonArray().add("offline_access"))
                .put("credentials", new JsonArray().add(new JsonObject().put("type", "password")
                        .put("value", name + "-password").put("temporary", false)));
    }

    private static void awaitDiscovery(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        URI discovery = URI.create(issuer("nexodus") + "/.well-known/openid-configuration");
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("Keycloak's discovery document did not answer within " + timeout);
    }

    /** A JDK of version 21 or later: Keycloak's own candidates first, then this JVM, then /usr/lib/jvm. */
    /**
     * The distribution Maven copied to tests/target/keycloak.tar.gz, unpacked with tar on first use (kept:
     * Keycloak's first start re-augments it, later starts reuse that).
     */
    private static Optional<Path> distribution() throws IOException, InterruptedException {
        Path target = Repo.root().resolve("tests/target");
        Path dir = target.resolve("keycloak");
        if (!Files.isDirectory(dir) && Files.isRegularFile(target.resolve("keycloak.tar.gz"))) {
            Files.createDirectories(target.resolve("keycloak.partial"));
            Process tar = new ProcessBuilder("tar", "xzf", target.resolve("keycloak.tar.gz").toString(), "-C",
                    target.resolve("keycloak.partial").toString()).inheritIO().start();
            if (tar.waitFor() != 0) {
                throw new IOException("tar could not unpack tests/target/keycloak.tar.gz");
            }
            Files.move(target.resolve("keycloak.partial"), dir);
        }
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("bin/kc.sh"))).findFirst();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
