package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.HaproxyProcess;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.Tools;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The front door: its HAProxy configuration is the one generated from functions/ROUTES.md, and the real
 * haproxy binary running it in front of the functions (the test application: every function, the real
 * IPAM server, a real PostgreSQL) sends every route of the table to the function that owns it, refuses
 * everything else, limits bodies, and carries a watch stream well past its ordinary timeout.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FrontDoorTest {

    /** The ordinary upstream timeout in these runs; a watch stream stays quiet for longer than this. */
    private static final int API_TIMEOUT_S = 2;

    /**
     * Java's default client: it offers an h2c upgrade on every new connection and then sends the next
     * requests over it. Through a proxy that let the upgrade happen, they would all reach the first
     * request's backend unrouted; so this client also checks that the door refuses upgrades.
     */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL app;

    @Test
    void theCommittedConfigIsGeneratedFromTheRouteTable() throws Exception {
        String generated = FrontDoorConfig.generate();
        Path committed = Repo.root().resolve(FrontDoorConfig.PATH);
        if (Boolean.getBoolean("nexodus.regenerate")) {
            Files.writeString(committed, generated);
        }
        assertEquals(generated, Files.readString(committed), FrontDoorConfig.PATH
                + " differs from functions/ROUTES.md: regenerate it (see its header)");
        assertTrue(generated.contains("use_backend fetch-peers-watch if { method POST } { path_reg ^/api/events$ }"));
        assertTrue(!generated.contains("path_reg ^/private"), "/private/* is never routed");
    }

    private HaproxyProcess startProxy() throws Exception {
        return startProxy(Map.of("API_TIMEOUT", API_TIMEOUT_S + "s"));
    }

    /** The committed door in front of the test application, with {@code env} in its environment. */
    private HaproxyProcess startProxy(Map<String, String> env) throws Exception {
        Path haproxy = Tools.require("haproxy", "the front door against the real proxy");
        String config = Files.readString(Repo.root().resolve(FrontDoorConfig.PATH));
        return HaproxyProcess.start(haproxy, config, app.getPort(), env);
    }

    /** nexd's device watch of one VPC, as a watch request's body. */
    private static String deviceWatch(String vpc) {
        return "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
    }

    private static HttpResponse<String> send(String base, String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", bearer);
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyRouteOfTheTableReachesItsFunctionAndNothingElseIsRouted() throws Exception {
        String user = Nexd.user("front-door");
        String bearer = TestTokens.bearer(user);
        try (HaproxyProcess proxy = startProxy()) {
            List<String> problems = new ArrayList<>();
            int routed = 0;
            for (RouteTableTest.Row row : RouteTableTest.rows()) {
                String path = row.path().replace("{key}", "some-key").replaceAll("\\{[a-z_]+}", UUID.randomUUID().toString());
                boolean hasBody = List.of("POST", "PUT", "PATCH").contains(row.method());
                // watch routes get a body they refuse at once: the stream itself is the next test
                String body = hasBody ? (FrontDoorConfig.isWatch(row) ? "not json" : "{}") : null;
                HttpResponse<String> r = send(proxy.base(), row.method(), path, bearer, body);
                String function = r.headers().firstValue("X-Nexodus-Function").orElse(null);
                if (FrontDoorConfig.isRouted(row)) {
                    routed++;
                    // a 5xx of the proxy's own (HTML) means the function was not reached; a function's own JSON
                    // answer counts (login start is 503 here: no identity provider in this test)
                    if (!row.function().equals(function) || r.statusCode() >= 502 && !r.body().startsWith("{")) {
                        problems.add(row.method() + " " + row.path() + " → " + r.statusCode() + " from " + function
                                + ", expected an answer of " + row.function() + ": " + r.body());
                    }
                } else if (r.statusCode() != 404 || function != null) {
                    problems.add(row.method() + " " + row.path() + " (" + row.status() + ") must not be routed: " + r.statusCode());
                }
            }
            // Funqy's and CloudEvents' own entry points, gc's route, an unlisted method: never through the door
            for (String[] call : new String[][] {{"GET", "/private/gc"}, {"POST", "/gc"}, {"POST", "/"}, {"POST", "/list-users"},
                    {"PUT", "/api/users"}, {"GET", "/q/health"}, {"GET", "/api/users/x/y"}}) {
                HttpResponse<String> r = send(proxy.base(), call[0], call[1], bearer, call[0].equals("GET") ? null : "{}");
                if (r.statusCode() != 404 || r.headers().firstValue("X-Nexodus-Function").isPresent()) {
                    problems.add(call[0] + " " + call[1] + " must be refused by the proxy, got " + r.statusCode());
                }
            }
            assertEquals(List.of(), problems);
            assertTrue(routed > 40, routed + " routes");
            // the same request answered the same way directly and through the door
            HttpResponse<String> direct = send(app.toString().replaceFirst("/$", ""), "GET", "/api/users/me", bearer, null);
            HttpResponse<String> viaDoor = send(proxy.base(), "GET", "/api/users/me", bearer, null);
            assertEquals(200, viaDoor.statusCode(), viaDoor.body());
            assertEquals(new JsonObject(direct.body()).getString("id"), new JsonObject(viaDoor.body()).getString("id"));
        }
    }

    /** A body just under the limit passes the door whole and its value is stored byte for byte (LargeBodiesTest says why). */
    @Test
    void aBodyJustUnderTheLimitPassesTheDoorWhole() throws Exception {
        String user = Nexd.user("front-door-large");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String description = "large body through the door é";
        String json = "{\"vpc_id\":\"" + vpc + "\",\"description\":\"" + description + "\",\"inbound_rules\":[],\"outbound_rules\":[]}";
        try (HaproxyProcess proxy = startProxy()) {
            HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(proxy.base() + "/api/security-groups"))
                    .header("Authorization", bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(LargeBodiesTest.padded(json, LargeBodiesTest.JUST_UNDER_1_MIB)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            HttpResponse<String> read = send(proxy.base(), "GET", "/api/security-groups/" + new JsonObject(created.body()).getString("id"),
                    bearer, null);
            assertEquals(description, new JsonObject(read.body()).getString("description"));
        }
    }

    /**
     * TLS as components/front-door-tls turns it on: the same generated configuration with a certificate mounted
     * as a kubernetes.io/tls Secret is. Calls and a watch stream work over HTTPS with a client that trusts the
     * certificate; plain HTTP answers nothing but the probe and a 308 to https, before any function is called.
     */
    /**
     * The proxy the cluster runs is of the branch these tests run: a configuration proven on one branch may be
     * refused, or mean something else, on another.
     */
    @Test
    void theClusterRunsTheHaproxyBranchTheseTestsRun() throws Exception {
        Path haproxy = Tools.require("haproxy", "the front door against the real proxy");
        Process version = new ProcessBuilder(haproxy.toString(), "-v").redirectErrorStream(true).start();
        String printed = new String(version.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        version.waitFor();
        java.util.regex.Matcher tested = java.util.regex.Pattern.compile("HAProxy version (\\d+\\.\\d+)\\.").matcher(printed);
        java.util.regex.Matcher deployed = java.util.regex.Pattern.compile("image: docker\\.io/library/haproxy:(\\d+\\.\\d+)\\b")
                .matcher(Files.readString(Repo.root().resolve("deploy/base/front-door/front-door.yaml")));
        assertTrue(tested.find(), printed);
        assertTrue(deployed.find(), "the front door's image names its HAProxy branch");
        assertEquals(tested.group(1), deployed.group(1), "the front door's HAProxy branch is the one tested here");
    }

    @Test
    void withACertificateTheDoorSpeaksTlsAndPlainHttpIsOnlyRedirected() throws Exception {
        String user = Nexd.user("tls");
        String bearer = TestTokens.bearer(user);
        TestCertificate certificate = TestCertificate.create(Path.of("target", "front-door-tls"), "front-door");
        int tlsPort = io.nexodus.testing.PostgresTestResource.freePorts(1)[0];
        Path haproxy = Tools.require("haproxy", "the front door against the real proxy");
        String config = Files.readString(Repo.root().resolve(FrontDoorConfig.PATH));
        try (HaproxyProcess proxy = HaproxyProcess.start(haproxy, config, app.getPort(), Map.of("API_TIMEOUT",
                API_TIMEOUT_S + "s", "FRONT_DOOR_TLS_CERT", certificate.pem.toAbsolutePath().toString(),
                "FRONT_DOOR_TLS_BIND", "127.0.0.1:" + tlsPort))) {
            HttpClient tls = HttpClient.newBuilder().sslContext(certificate.trustingIt()).build();
            String https = "https://localhost:" + tlsPort;
            HttpResponse<String> me = tls.send(HttpRequest.newBuilder(URI.create(https + "/api/users/me"))
                    .header("Authorization", bearer).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, me.statusCode(), me.body());
            assertEquals("users", me.headers().firstValue("X-Nexodus-Function").orElse(null));
            String vpc = new io.vertx.core.json.JsonObject(me.body()).getString("id");
            Nexd agent = new Nexd();
            HttpResponse<String> registered = tls.send(HttpRequest.newBuilder(URI.create(https + "/api/devices"))
                    .header("Authorization", bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\""
                            + agent.publicKey + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, registered.statusCode(), registered.body());
            try (WatchClient watch = new WatchClient(https, "/api/events", bearer, "[{\"kind\":\"device\",\"gt_revision\":0,"
                    + "\"at_tail\":false,\"options\":{\"vpc-id\":\"" + vpc + "\"}}]", tls)) {
                assertEquals(200, watch.status);
                assertEquals(1, watch.untilTail("device").size() - 1, "the registered device, then the tail");
            }
            // plain HTTP: the probe, and for everything else a redirect, nothing reaches a function
            assertEquals(200, send(proxy.base(), "GET", "/healthz", bearer, null).statusCode());
            for (String[] call : new String[][] {{"GET", "/api/users/me"}, {"POST", "/api/devices"}}) {
                HttpResponse<String> plain = send(proxy.base(), call[0], call[1], bearer, call[0].equals("GET") ? null : "{}");
                assertEquals(308, plain.statusCode(), call[1]);
                assertTrue(plain.headers().firstValue("Location").orElse("").startsWith("https://"), plain.headers().toString());
                assertTrue(plain.headers().firstValue("X-Nexodus-Function").isEmpty(), "no function was called");
            }
        }
    }

    /**
     * With the web console deployed (components/console sets CONSOLE_HOST), its host's every request goes to the
     * console's web server (here a stand-in serving one page: the upstream image needs a container runtime), and
     * api.<that host> is the API, as the console expects; without CONSOLE_HOST no host is special.
     */
    @Test
    void theConsoleHostServesTheConsoleAndItsApiHostTheApi() throws Exception {
        Path haproxy = Tools.require("haproxy", "the front door against the real proxy");
        String config = Files.readString(Repo.root().resolve(FrontDoorConfig.PATH));
        String bearer = TestTokens.bearer(Nexd.user("door-console"));
        List<String> consoleSaw = java.util.Collections.synchronizedList(new ArrayList<>());
        com.sun.net.httpserver.HttpServer console = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        console.createContext("/", exchange -> {
            consoleSaw.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] page = "<!doctype html><title>Nexodus</title>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        console.start();
        try (HaproxyProcess proxy = HaproxyProcess.start(haproxy, config, app.getPort(),
                Map.of("console", console.getAddress().getPort()), Map.of("CONSOLE_HOST", "console.example.test"),
                Path.of("target", "front-door"))) {
            for (String host : List.of("console.example.test", "Console.Example.Test:8080")) {
                String page = rawGet(proxy.port, host, "/#/devices", null);
                assertTrue(page.startsWith("HTTP/1.1 200") && page.contains("<title>Nexodus</title>"), host + ": " + page);
                // even an API path on the console's host is the console's (its web server answers index.html)
                String api = rawGet(proxy.port, host, "/api/users/me", bearer);
                assertTrue(api.contains("<title>Nexodus</title>") && !api.toLowerCase().contains("x-nexodus-function"), api);
            }
            String me = rawGet(proxy.port, "api.console.example.test:8080", "/api/users/me", bearer);
            assertTrue(me.startsWith("HTTP/1.1 200") && me.toLowerCase().contains("x-nexodus-function: users"), me);
            assertEquals(List.of("GET /", "GET /api/users/me", "GET /", "GET /api/users/me"), consoleSaw,
                    "the fragment stays in the browser; nothing else reached the console");
        } finally {
            console.stop(0);
        }
        try (HaproxyProcess proxy = startProxy()) {
            String me = rawGet(proxy.port, "console.example.test", "/api/users/me", bearer);
            assertTrue(me.startsWith("HTTP/1.1 200") && me.toLowerCase().contains("x-nexodus-function: users"), "no console: " + me);
        }
    }

    /** A GET with the given Host header (Java's client will not set one), the whole answer as text. */
    private static String rawGet(int port, String host, String path, String bearer) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            String request = "GET " + path.replaceFirst("#.*", "") + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + (bearer == null ? "" : "Authorization: " + bearer + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedAtTheDoor() throws Exception {
        try (HaproxyProcess proxy = startProxy(); Socket socket = new Socket("127.0.0.1", proxy.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: " + TestTokens.bearer("big")
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (FrontDoorConfig.MAX_BODY_BYTES + 1)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", status);
        }
    }

    @Test
    void aWatchStreamOutlivesTheOrdinaryTimeoutAndIsNotBuffered() throws Exception {
        String user = Nexd.user("door-watch");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        String watch = deviceWatch(vpc);
        try (HaproxyProcess proxy = startProxy();
                WatchClient stream = new WatchClient(proxy.base(), "/api/vpcs/" + vpc + "/events", bearer, watch)) {
            assertEquals(200, stream.status);
            stream.untilTail("device");
            // quiet for more than twice the ordinary upstream timeout: an ordinary backend would have cut it
            stream.assertQuiet((API_TIMEOUT_S * 2 + 1) * 1000L);
            String id = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");
            JsonObject change = stream.next(5);
            assertEquals(id, change.getJsonObject("value").getString("id"), "the change arrives through the door, unbuffered: " + change);
        }
        // and the other watch route goes to the same place
        try (HaproxyProcess proxy = startProxy();
                WatchClient stream = new WatchClient(proxy.base(), "/api/events", bearer, watch)) {
            assertEquals(200, stream.status);
            stream.untilTail("device");
        }
    }

    /**
     * An event reaches the agent as soon as fetch-peers writes it. Without {@code option http-no-delay} HAProxy sends a
     * chunk of a response it expects more of with MSG_MORE, which Linux holds for up to 200 ms before sending a
     * partial frame: every change reached every agent ~250 ms late through the door (the fleet simulator's
     * --topology=functions, docs/benchmarks.md), against a few ms without it.
     */
    @Test
    void aWatchEventCrossesTheDoorWithoutWaitingForMore() throws Exception {
        String user = Nexd.user("door-latency");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        String watch = deviceWatch(vpc);
        List<Long> lateMillis = new ArrayList<>();
        try (HaproxyProcess proxy = startProxy();
                WatchClient stream = new WatchClient(proxy.base(), "/api/vpcs/" + vpc + "/events", bearer, watch)) {
            assertEquals(200, stream.status);
            stream.untilTail("device");
            for (int i = 0; i < 5; i++) {
                String id = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");
                // the change committed (and its NOTIFY went out) before the answer left: from here on, only delivery
                long answered = System.nanoTime();
                JsonObject change = stream.next(5);
                lateMillis.add((System.nanoTime() - answered) / 1_000_000);
                assertEquals(id, change.getJsonObject("value").getString("id"), change.encode());
            }
        }
        List<Long> sorted = lateMillis.stream().sorted().toList();
        assertTrue(sorted.get(2) < 50, "each event reached the agent this long after its change's answer (ms): " + lateMillis);
    }

    /**
     * Every agent holds a connection to the door for as long as its stream lives, so a replica's connection cap is how
     * many agents it serves: it was a fixed 4,096, fewer than the 5,000 streams each of the two replicas holds at
     * 10,000 agents. Now haproxy derives it from its file-descriptor limit, and {@code FRONT_DOOR_MAXCONN} sets it
     * (every other test here runs with the derived one). Beyond it a new connection waits unanswered.
     */
    @Test
    void theConnectionCapIsTheEnvironmentsAndANewcomerWaitsBeyondIt() throws Exception {
        String user = Nexd.user("door-cap");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        String watch = deviceWatch(vpc);
        try (HaproxyProcess proxy = startProxy(Map.of("FRONT_DOOR_MAXCONN", "2"))) {
            HttpRequest health = HttpRequest.newBuilder(URI.create(proxy.base() + "/healthz")).timeout(java.time.Duration.ofSeconds(2)).build();
            try (WatchClient first = new WatchClient(proxy.base(), "/api/vpcs/" + vpc + "/events", bearer, watch);
                    WatchClient second = new WatchClient(proxy.base(), "/api/vpcs/" + vpc + "/events", bearer, watch)) {
                assertEquals(200, first.status);
                assertEquals(200, second.status);
                // a client of its own: a new connection, not one of the streams'
                HttpClient third = HttpClient.newHttpClient();
                org.junit.jupiter.api.Assertions.assertThrows(java.net.http.HttpTimeoutException.class,
                        () -> third.send(health, HttpResponse.BodyHandlers.ofString()), "a third connection is not served");
            }
        }
    }
}
