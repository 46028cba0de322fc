package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.HaproxyProcess;
import io.nexodus.testing.Tools;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nexodus's login end to end against a real Keycloak (KeycloakServer) with the realm of
 * deploy/components/keycloak: tokens by the password grant and by the device flow approved through
 * Keycloak's own pages, then nexd's path (login start, discovery, token, the user provisioned from its
 * claims, a device registered, the peers listed); and the tokens that must be refused.
 */
@QuarkusTest
@WithTestResource(value = KeycloakTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class KeycloakTest {

    /** What nexd and nexctl ask for (docs/identity.md, "Scopes"). */
    static final String NEXD_SCOPES = "openid profile email offline_access read:organizations write:organizations"
            + " read:users write:users read:devices write:devices";

    private final HttpClient http = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL app;

    @BeforeEach
    void keycloakRuns() {
        KeycloakServer.requireRunning("KeycloakTest");
    }

    @Test
    void nexdLogsInWithThePasswordGrantAndJoinsTheMesh() throws Exception {
        JsonObject provider = loginStart();
        JsonObject tokens = post(provider.getString("token_endpoint"), Map.of("grant_type", "password",
                "client_id", "nexodus-cli", "username", "alice", "password", "alice-password", "scope", NEXD_SCOPES));
        assertNotNull(tokens.getString("refresh_token"), "offline access: a refresh token");
        joinTheMesh("Bearer " + tokens.getString("access_token"), "alice");
    }

    @Test
    void nexdLogsInWithTheDeviceFlowApprovedThroughKeycloaksPages() throws Exception {
        JsonObject provider = loginStart();
        JsonObject device = post(provider.getString("device_authorization_endpoint"),
                Map.of("client_id", provider.getString("client_id"), "scope", NEXD_SCOPES));
        String page = new BrowserUser("bob", "bob-password").approve(device.getString("verification_uri_complete"),
                device.getString("user_code"));
        assertTrue(page.toLowerCase().contains("success"), "Keycloak confirms the device login: " + page);
        JsonObject tokens = post(provider.getString("token_endpoint"), Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id", "nexodus-cli",
                "device_code", device.getString("device_code")));
        assertNotNull(tokens.getString("access_token"), "the device code is exchanged for tokens: " + tokens);
        joinTheMesh("Bearer " + tokens.getString("access_token"), "bob");
    }

    /**
     * deploy/smoke.sh, the KIND flow's last step, exactly as kind-up.sh runs it, against what these machines
     * have of an install: the functions behind the real HAProxy with the generated front-door configuration,
     * and the real Keycloak with the shipped realm. Its token request goes where the login start points.
     */
    @Test
    void theSmokeScriptPassesThroughTheRealFrontDoor() throws Exception {
        Path bash = Tools.require("bash", "the smoke script");
        Tools.require("curl", "the smoke script");
        Tools.require("jq", "the smoke script");
        Path haproxy = Tools.require("haproxy", "the smoke script through the front door");
        String config = java.nio.file.Files.readString(Repo.root().resolve(FrontDoorConfig.PATH));
        try (HaproxyProcess door = HaproxyProcess.start(haproxy, config, app.getPort(), Map.of("API_TIMEOUT", "10s"))) {
            ProcessBuilder smoke = new ProcessBuilder(bash.toString(), Repo.root().resolve("deploy/smoke.sh").toString(),
                    door.base()).redirectErrorStream(true);
            smoke.environment().put("SMOKE_USERNAME", "alice");
            smoke.environment().put("SMOKE_PASSWORD", "alice-password");
            Process run = smoke.start();
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(run.waitFor(2, java.util.concurrent.TimeUnit.MINUTES), "the smoke script ended:\n" + out);
            System.out.print(out);
            assertEquals(0, run.exitValue(), "deploy/smoke.sh:\n" + out);
            assertTrue(out.contains("smoke: ok: restart path") && out.contains("smoke: ok: watch stream delivered it"), out);
        }
    }

    @Test
    void tokensThatMustNotPassAreRefused() throws Exception {
        String token = KeycloakServer.issuer("nexodus") + "/protocol/openid-connect/token";
        // a client whose tokens lack our audience
        String noAudience = accessToken(token, "nexodus-noaud", "alice", NEXD_SCOPES);
        assertRefused(given().header("Authorization", "Bearer " + noAudience).get("/api/users/me"), 401, "wrong audience");
        // the same user name in another realm of the same Keycloak: another issuer, not trusted
        String otherRealm = accessToken(KeycloakServer.issuer("other") + "/protocol/openid-connect/token",
                "nexodus-cli", "alice", NEXD_SCOPES);
        assertRefused(given().header("Authorization", "Bearer " + otherRealm).get("/api/users/me"), 401, "another realm");
        // a token granted read access may not write
        String readOnly = accessToken(token, "nexodus-cli", "alice", "openid profile email read:organizations"
                + " read:users read:devices");
        String vpc = given().header("Authorization", "Bearer " + readOnly).get("/api/users/me").then().statusCode(200)
                .extract().path("id");
        Response write = new Nexd().register("Bearer " + readOnly, vpc, "");
        assertRefused(write, 403, "a token without write:devices");
        assertEquals("missing scope write:devices", write.jsonPath().getString("reason"));
        // expired: a 5-second token, used, then waited out
        String shortLived = accessToken(token, "nexodus-short", "alice", NEXD_SCOPES);
        given().header("Authorization", "Bearer " + shortLived).get("/api/users/me").then().statusCode(200);
        awaitExpiry(shortLived);
        assertRefused(given().header("Authorization", "Bearer " + shortLived).get("/api/users/me"), 401, "an expired token");
    }

    @Test
    void aDisabledUsersTokenIsRefusedOnceItExpiresAndNoNewOneIsIssued() throws Exception {
        String token = KeycloakServer.issuer("nexodus") + "/protocol/openid-connect/token";
        JsonObject tokens = post(token, Map.of("grant_type", "password", "client_id", "nexodus-short",
                "username", "alice", "password", "alice-password", "scope", NEXD_SCOPES));
        String access = tokens.getString("access_token");
        given().header("Authorization", "Bearer " + access).get("/api/users/me").then().statusCode(200);
        setEnabled("alice", false);
        try {
            // an access token is a signed statement until its expiry (no introspection per request): then it ends
            awaitExpiry(access);
            assertRefused(given().header("Authorization", "Bearer " + access).get("/api/users/me"), 401,
                    "a disabled user's expired token");
            HttpResponse<String> refresh = form(token, Map.of("grant_type", "refresh_token", "client_id", "nexodus-short",
                    "refresh_token", tokens.getString("refresh_token")));
            assertEquals(400, refresh.statusCode(), "Keycloak refreshes no token of a disabled user: " + refresh.body());
            HttpResponse<String> again = form(token, Map.of("grant_type", "password", "client_id", "nexodus-short",
                    "username", "alice", "password", "alice-password", "scope", NEXD_SCOPES));
            assertTrue(again.statusCode() >= 400, "nor a new one: " + again.body());
        } finally {
            setEnabled("alice", true);
        }
    }

    /** nexd's first call: the provider's issuer, device endpoint and client; then its discovery document. */
    private JsonObject loginStart() throws Exception {
        Response start = given().post("/device/login/start");
        assertEquals(200, start.statusCode(), start.asString());
        String issuer = start.jsonPath().getString("issuer");
        assertEquals(KeycloakServer.issuer("nexodus"), issuer);
        assertEquals("nexodus-cli", start.jsonPath().getString("client_id"));
        assertTrue(Duration.between(Instant.parse(start.jsonPath().getString("server_time")), Instant.now()).abs()
                .toSeconds() < 60, "server time");
        JsonObject discovery = get(issuer + "/.well-known/openid-configuration");
        assertEquals(discovery.getString("device_authorization_endpoint"),
                start.jsonPath().getString("device_authorization_endpoint"));
        return discovery.put("client_id", start.jsonPath().getString("client_id"));
    }

    /** The rest of nexd's start without a registration key (docs/upstream.md, "The calls nexd makes"): me, register, peers. */
    private void joinTheMesh(String bearer, String username) {
        Response me = given().header("Authorization", bearer).get("/api/users/me");
        assertEquals(200, me.statusCode(), me.asString());
        assertEquals(username, me.jsonPath().getString("username"), "provisioned from preferred_username");
        String vpc = me.jsonPath().getString("id");
        Response registered = new Nexd().register(bearer, vpc, "");
        assertEquals(201, registered.statusCode(), registered.asString());
        String device = registered.jsonPath().getString("id");
        Response peers = given().header("Authorization", bearer).get("/api/vpcs/" + vpc + "/devices");
        assertEquals(200, peers.statusCode(), peers.asString());
        assertTrue(peers.jsonPath().getList("id").contains(device), "the device is among the peers: " + peers.asString());
    }

    private static void assertRefused(Response response, int status, String what) {
        assertEquals(status, response.statusCode(), what + ": " + response.asString());
        assertNotNull(response.jsonPath().getString("error"), what + ": a JSON error body");
    }

    /** Waits until the token's exp (plus the one second of clock skew the test issuer allows) has passed. */
    private static void awaitExpiry(String jwt) throws InterruptedException {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        long exp = new JsonObject(payload).getLong("exp");
        long waitMillis = (exp + 2) * 1000 - System.currentTimeMillis();
        if (waitMillis > 0) {
            Thread.sleep(waitMillis);
        }
    }

    private String accessToken(String tokenEndpoint, String client, String user, String scope) throws Exception {
        return post(tokenEndpoint, Map.of("grant_type", "password", "client_id", client, "username", user,
                "password", user + "-password", "scope", scope)).getString("access_token");
    }

    private void setEnabled(String username, boolean enabled) throws Exception {
        String admin = post(KeycloakServer.issuer("master") + "/protocol/openid-connect/token", Map.of(
                "grant_type", "password", "client_id", "admin-cli", "username", KeycloakServer.ADMIN,
                "password", KeycloakServer.ADMIN_PASSWORD)).getString("access_token");
        String users = KeycloakServer.baseUrl + "/admin/realms/nexodus/users";
        HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(users + "?exact=true&username=" + username))
                .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
        String id = new io.vertx.core.json.JsonArray(found.body()).getJsonObject(0).getString("id");
        HttpResponse<String> updated = http.send(HttpRequest.newBuilder(URI.create(users + "/" + id))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("enabled", enabled).encode())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, updated.statusCode(), updated.body());
    }

    private JsonObject get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return new JsonObject(response.body());
    }

    private JsonObject post(String url, Map<String, String> fields) throws IOException, InterruptedException {
        HttpResponse<String> response = form(url, fields);
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return new JsonObject(response.body());
    }

    private HttpResponse<String> form(String url, Map<String, String> fields) throws IOException, InterruptedException {
        String body = new LinkedHashMap<>(fields).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
