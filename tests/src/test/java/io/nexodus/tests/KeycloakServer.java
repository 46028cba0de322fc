package io.nexodus.tests;

import io.nexodus.testing.Tools;
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
 * A real Keycloak for the classes that sign in with one (KeycloakTest, WebSignInTest, ConsoleContractTest): the
 * distribution the tests module unpacks from Maven Central ({@code org.keycloak:keycloak-quarkus-dist}, pom.xml),
 * started in development mode on free ports <b>once per test JVM</b>, by the first class that needs it (a start
 * takes 17-30 s here), and stopped when the JVM ends. Each class gets fresh realms: the realm of
 * deploy/components/keycloak (plus the test's users and clients) and a second realm, deleted and imported anew
 * through the admin API before the class's application starts, with this class's application port among the web
 * client's redirect URIs. So no user, session, consent or disabled account of one class reaches another.
 * Keycloak needs Java 21 or later; where none is found the test is skipped loudly, or fails when CI=true.
 */
final class KeycloakServer {

    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "admin-test-only";

    /**
     * Where this JVM's Keycloak listens once it runs. A system property, since Quarkus loads each test class in a
     * class loader of its own, each with its own copy of this class (as TestPostgres does for PostgreSQL); the test
     * classes of a JVM run one after another, so two never start it at once.
     */
    private static final String URL_PROPERTY = "nexodus.test.keycloak.url";

    /** Why Keycloak is not running for this class, or null once it is. */
    static volatile String unavailable = "not started";
    static volatile String baseUrl;

    private KeycloakServer() {
    }

    /** The realm's issuer URL. */
    static String issuer(String realm) {
        return baseUrl + "/realms/" + realm;
    }

    /** The port Keycloak listens on. */
    static int port() {
        return URI.create(baseUrl).getPort();
    }

    /** The secret of the realm's confidential nexodus-web client in the test realm. */
    static final String WEB_CLIENT_SECRET = "web-secret-test-only";

    /**
     * Keycloak for one test class: started if this JVM has none yet, then the class's fresh realms.
     *
     * @param appPort the test application's port: nexodus-web may send browsers back to its /web/ routes
     * @param freePort gives a free port that the application will not take
     */
    static void startFor(int appPort, java.util.function.IntSupplier freePort) {
        unavailable = "not started";
        String running = System.getProperty(URL_PROPERTY);
        if (running == null) {
            String why = start(freePort.getAsInt(), freePort.getAsInt());
            if (why != null) {
                unavailable = why;
                return;
            }
            System.setProperty(URL_PROPERTY, baseUrl);
        } else {
            baseUrl = running;
        }
        try {
            Instant begin = Instant.now();
            JsonObject realm = new JsonObject(Files.readString(Repo.root().resolve("deploy/components/keycloak/nexodus-realm.json")));
            importAnew(testRealm(realm.copy(), "nexodus", appPort));
            importAnew(testRealm(realm.copy(), "other", appPort));
            System.out.printf("keycloak: fresh realms nexodus and other in %d ms%n",
                    Duration.between(begin, Instant.now()).toMillis());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot import the test realms into Keycloak (tests/target/keycloak.log): "
                    + e.getMessage(), e);
        }
        unavailable = null;
    }

    /** Starts the JVM's Keycloak; returns why it cannot run, or null once it answers. */
    private static String start(int httpPort, int managementPort) {
        Optional<Path> java = Tools.jdk(21);
        Optional<Path> home;
        try {
            home = distribution();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot unpack Keycloak: " + e.getMessage(), e);
        }
        if (java.isEmpty()) {
            return "no JDK 21+ found (JAVA_HOME, KEYCLOAK_JAVA_HOME, /usr/lib/jvm): Keycloak 26 needs one";
        }
        if (home.isEmpty()) {
            return "the Keycloak distribution is not in tests/target/keycloak.tar.gz (mvn -pl tests verify copies it)";
        }
        Process process = null;
        try {
            Path dir = home.get();
            Path data = dir.resolve("data");
            deleteTree(data.resolve("h2")); // a fresh store for each test JVM
            deleteTree(data.resolve("import"));
            ProcessBuilder builder = new ProcessBuilder("sh", dir.resolve("bin/kc.sh").toString(), "start-dev",
                    "--http-port=" + httpPort, "--http-management-port=" + managementPort,
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
            Process started = process;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started), "keycloak-stop"));
            baseUrl = "http://localhost:" + httpPort;
            awaitDiscovery(process, Duration.ofMinutes(15));
            System.out.printf("keycloak: started in %d s for this test JVM (tests/target/keycloak.log)%n",
                    Duration.between(begin, Instant.now()).toSeconds());
            return null;
        } catch (IOException | InterruptedException e) {
            if (process != null) {
                stop(process);
            }
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

    /** Stops Keycloak (from the JVM's shutdown hook): the shell, the JVM it started, and whatever that started. */
    private static void stop(Process process) {
        // no lambda here: this runs when the JVM ends, after Quarkus closed the class loader of this copy of the class
        for (ProcessHandle child : process.descendants().toList()) {
            child.destroy();
        }
        process.destroy();
        try {
            process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Deletes the realm of that name if there is one and imports {@code realm} in its place, as the admin console's
     * "Create realm" with a file does (the same import as --import-realm at start).
     */
    private static void importAnew(JsonObject realm) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String bearer = "Bearer " + adminToken(http);
        String realms = baseUrl + "/admin/realms";
        HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(realms + "/" + realm.getString("realm")))
                .header("Authorization", bearer).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        if (deleted.statusCode() != 204 && deleted.statusCode() != 404) {
            throw new IOException("deleting realm " + realm.getString("realm") + ": " + deleted.statusCode() + " " + deleted.body());
        }
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(realms))
                .header("Authorization", bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(realm.encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IOException("importing realm " + realm.getString("realm") + ": " + created.statusCode() + " " + created.body());
        }
    }

    /** A token of the master realm's administrator (the bootstrap admin), for the admin API. */
    private static String adminToken(HttpClient http) throws IOException, InterruptedException {
        String form = "grant_type=password&client_id=admin-cli&username=" + ADMIN + "&password=" + ADMIN_PASSWORD;
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(issuer("master") + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (token.statusCode() != 200) {
            throw new IOException("admin token: " + token.statusCode() + " " + token.body());
        }
        return new JsonObject(token.body()).getString("access_token");
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

    /** Until the master realm's discovery document answers (the test realms are imported after). */
    private static void awaitDiscovery(Process process, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        URI discovery = URI.create(issuer("master") + "/.well-known/openid-configuration");
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
