package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web console's sign-in (docs/identity.md, "Web console sign-in") end to end against a real Keycloak with the
 * shipped realm's confidential nexodus-web client: a browser (BrowserUser: cookies kept, Keycloak's login form
 * filled in) goes through /web/login/start, Keycloak's pages and /web/login/end, and then calls the API with the
 * session cookie alone.
 */
@QuarkusTest
@WithTestResource(value = KeycloakTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class WebSignInTest {

    /** The console's origin (NEXODUS_CONSOLE_ORIGINS in KeycloakTestResource); nothing listens there. */
    static final String CONSOLE = "http://console.test";

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @TestHTTPResource("/")
    URL app;

    @Inject
    Pool db;

    @BeforeEach
    void keycloakRuns() {
        KeycloakServer.requireRunning("WebSignInTest");
    }

    @Test
    void aSignedInBrowserUsesTheApiWithItsCookieRefreshesAndSignsOut() throws Exception {
        HttpResponse<String> start = get("/web/login/start?redirect=" + enc(CONSOLE + "/home"), null);
        assertEquals(302, start.statusCode(), start.body());
        assertTrue(start.headers().firstValue("location").orElseThrow().startsWith(KeycloakServer.issuer("nexodus")),
                "to the provider's authorization endpoint");
        for (String name : List.of("state", "nonce", "code_verifier", "redirect")) {
            String set = setCookie(start, name);
            // attribute names are case-insensitive (RFC 6265 5.2)
            String attributes = set.toLowerCase(java.util.Locale.ROOT);
            assertTrue(attributes.contains("; httponly") && attributes.contains("; samesite=lax") && attributes.contains("; secure")
                    && attributes.contains("; max-age=600"), name + ": short-lived, HttpOnly, Lax, Secure: " + set);
        }
        BrowserUser alice = new BrowserUser("alice", "alice-password");
        String sid = signIn(alice, "/home");

        // the session row: found by the cookie's hash, holding neither the cookie nor any token in clear
        Row row = db.preparedQuery("SELECT * FROM web_sessions WHERE sid_hash = $1").execute(Tuple.of(BearerTokens.hash(sid)))
                .await().indefinitely().iterator().next();
        String stored = row.toJson().encode();
        assertFalse(stored.contains(sid), "the cookie's value is not stored");
        // a JWT in clear is <header>.<payload>.<signature>, both first parts base64url JSON ("eyJ"); a ciphertext has
        // no dots, though it holds "eyJ" by chance in about one sign-in of a hundred (which failed this check once)
        assertFalse(java.util.regex.Pattern.compile("eyJ[A-Za-z0-9_-]*\\.eyJ").matcher(stored).find(),
                "no JWT in clear (access, refresh, ID token): " + stored);

        // the cookie alone authenticates the API, and the web routes
        HttpResponse<String> me = get("/api/users/me", sid);
        assertEquals(200, me.statusCode(), me.body());
        assertEquals("alice", new JsonObject(me.body()).getString("username"));
        HttpResponse<String> info = get("/web/user_info", sid);
        assertEquals(200, info.statusCode(), info.body());
        assertEquals("alice", new JsonObject(info.body()).getString("preferred_username"));
        assertEquals("alice@example.org", new JsonObject(info.body()).getString("email"));
        HttpResponse<String> claims = get("/web/claims", sid);
        assertEquals(200, claims.statusCode(), claims.body());
        assertEquals(KeycloakServer.issuer("nexodus"), new JsonObject(claims.body()).getString("iss"));
        assertNotNull(new JsonObject(claims.body()).getString("nonce"));

        // a cookie-authenticated write needs a trusted Origin (CSRF); a bearer token does not
        String org = "{\"name\":\"web-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "\"}";
        HttpResponse<String> noOrigin = send("POST", "/api/organizations", sid, null, org);
        assertEquals(403, noOrigin.statusCode(), noOrigin.body());
        assertEquals("Origin", new JsonObject(noOrigin.body()).getString("field"));
        HttpResponse<String> evil = send("POST", "/api/organizations", sid, "http://evil.test", org);
        assertEquals(403, evil.statusCode(), evil.body());
        assertEquals(201, send("POST", "/api/organizations", sid, CONSOLE, org).statusCode());
        assertEquals(0L, TestDb.count(db, "SELECT count(*) FROM organizations WHERE name = 'evil'"));

        // an expired access token is refreshed on use, once, however many calls arrive together
        expireAccessToken(sid);
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(http.sendAsync(request("GET", "/api/users/me", sid, null, null), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertEquals(200, call.get().statusCode(), call.get().body());
        }
        assertEquals(1, version(sid), "eight calls with an expired token: one refresh at the provider");

        // POST /web/refresh: 204; concurrent ones refresh once
        assertEquals(204, send("POST", "/web/refresh", sid, CONSOLE, null).statusCode());
        assertEquals(1, version(sid), "a fresh token is not refreshed again");
        assertEquals(403, send("POST", "/web/refresh", sid, "http://evil.test", null).statusCode());
        expireAccessToken(sid);
        calls.clear();
        for (int i = 0; i < 5; i++) {
            calls.add(http.sendAsync(request("POST", "/web/refresh", sid, CONSOLE, null), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertEquals(204, call.get().statusCode(), call.get().body());
        }
        assertEquals(2, version(sid), "five concurrent refreshes: one at the provider");
        assertEquals(200, get("/api/users/me", sid).statusCode(), "the refreshed token works");

        // sign-out: the session is deleted at once, then the provider's session ends and the browser is back
        HttpResponse<String> logout = get("/web/logout?redirect=" + enc(CONSOLE + "/bye"), sid);
        assertEquals(302, logout.statusCode(), logout.body());
        assertTrue(setCookie(logout, "sid").toLowerCase(java.util.Locale.ROOT).contains("; max-age=0"), "the cookie is cleared");
        assertEquals(0L, TestDb.count(db, "SELECT count(*) FROM web_sessions WHERE sid_hash = $1", BearerTokens.hash(sid)),
                "the session is deleted");
        alice.cookie("sid", sid); // a browser that kept it anyway
        for (String name : List.of("state", "redirect")) { // what the browser keeps of the sign-out's answer
            String set = setCookie(logout, name);
            alice.cookie(name, set.substring(name.length() + 1, set.indexOf(';')));
        }
        alice.approve(logout.headers().firstValue("location").orElseThrow(), null,
                target -> target.toString().startsWith(CONSOLE));
        assertEquals(URI.create(CONSOLE + "/bye"), alice.stoppedAt, "through the provider, back to the console");
        HttpResponse<String> after = get("/api/users/me", sid);
        assertEquals(401, after.statusCode(), "the old cookie no longer works: " + after.body());
        assertEquals(401, get("/web/user_info", sid).statusCode());
    }

    /**
     * The functions call the provider (code exchange, refresh, userinfo, keys) by the backchannel, never by the
     * public URL the discovery document names for browsers: with the backchannel down the public URL still answers,
     * yet /web/user_info is a 503 (a KIND pod cannot reach http://localhost:8081, OIDC_BACKCHANNEL).
     */
    @Test
    void theFunctionsReachTheProviderByTheBackchannel() throws Exception {
        TcpRelay backchannel = KeycloakTestResource.backchannel;
        int before = backchannel.relayed();
        String sid = signIn(new BrowserUser("carol", "carol-password"), "/backchannel");
        assertTrue(backchannel.relayed() > before, "the code exchange went through the backchannel");
        assertEquals(200, get("/web/user_info", sid).statusCode());
        backchannel.cutAndCount();
        try {
            HttpResponse<String> down = get("/web/user_info", sid);
            assertEquals(503, down.statusCode(), down.body());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(KeycloakServer.issuer("nexodus")
                    + "/.well-known/openid-configuration")).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                    "the public URL answers all along");
        } finally {
            backchannel.accept();
        }
        assertEquals(200, get("/web/user_info", sid).statusCode());
    }

    @Test
    void everySignInMakesANewSessionAndEndsThePreviousOne() throws Exception {
        BrowserUser bob = new BrowserUser("bob", "bob-password");
        String first = signIn(bob, "/one");
        String second = signIn(bob, "/two");
        assertFalse(first.equals(second), "a new session id at sign-in");
        assertEquals(401, get("/api/users/me", first).statusCode(), "the previous session ended");
        assertEquals(200, get("/api/users/me", second).statusCode());
        // a cookie value the browser was given before signing in (session fixation) never becomes a session
        BrowserUser planted = new BrowserUser("bob", "bob-password");
        planted.cookie("sid", "planted-by-someone-else");
        String third = signIn(planted, "/three");
        assertFalse(third.equals("planted-by-someone-else"));
        assertEquals(401, get("/api/users/me", "planted-by-someone-else").statusCode());
    }

    @Test
    void untrustedRedirectsAreRefused() throws Exception {
        for (String route : List.of("/web/login/start", "/web/logout")) {
            for (String target : List.of("https://evil.test/", "//evil.test/", "http://console.test@evil.test/",
                    "javascript:alert(1)", "/relative")) {
                HttpResponse<String> refused = get(route + "?redirect=" + enc(target), null);
                assertEquals(400, refused.statusCode(), route + " " + target + ": " + refused.body());
                assertEquals("redirect", new JsonObject(refused.body()).getString("field"));
            }
            HttpResponse<String> missing = get(route, null);
            assertEquals(400, missing.statusCode());
            assertEquals("redirect", new JsonObject(missing.body()).getString("field"));
        }
    }

    @Test
    void aMismatchedStateOrNonceIsRefused() throws Exception {
        long before = TestDb.count(db, "SELECT count(*) FROM web_sessions");
        // state: the provider's answer carries another sign-in's state
        BrowserUser alice = new BrowserUser("alice", "alice-password");
        URI end = toLoginEnd(alice);
        String tampered = end.toString().replaceFirst("state=[^&]+", "state=forged");
        HttpResponse<String> wrongState = get(tampered.substring(tampered.indexOf("/web/")), null, alice, "state",
                "nonce", "code_verifier", "redirect");
        assertEquals(400, wrongState.statusCode(), wrongState.body());
        assertEquals("state", new JsonObject(wrongState.body()).getString("field"));

        // nonce: the browser's sign-in expected another nonce than the ID token carries
        BrowserUser again = new BrowserUser("alice", "alice-password");
        URI end2 = toLoginEnd(again);
        again.cookie("nonce", "not-this-sign-ins");
        HttpResponse<String> wrongNonce = get(end2.toString().substring(end2.toString().indexOf("/web/")), null, again,
                "state", "nonce", "code_verifier", "redirect");
        assertEquals(400, wrongNonce.statusCode(), wrongNonce.body());
        assertEquals("nonce", new JsonObject(wrongNonce.body()).getString("field"));
        assertEquals(before, TestDb.count(db, "SELECT count(*) FROM web_sessions"), "no session made");
    }

    @Test
    void gcSweepsExpiredSessions() throws Exception {
        String live = signIn(new BrowserUser("alice", "alice-password"), "/a");
        String idle = signIn(new BrowserUser("bob", "bob-password"), "/b");
        db.preparedQuery("UPDATE web_sessions SET idle_expires_at = now() - interval '1 minute' WHERE sid_hash = $1")
                .execute(Tuple.of(BearerTokens.hash(idle))).await().indefinitely();
        assertEquals(401, get("/api/users/me", idle).statusCode(), "an idle-expired session is refused before any sweep");
        HttpResponse<String> gc = http.send(HttpRequest.newBuilder(URI.create(app + "private/gc"))
                .header("Authorization", TestTokens.serviceBearer()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, gc.statusCode(), gc.body());
        assertEquals(0L, TestDb.count(db, "SELECT count(*) FROM web_sessions WHERE sid_hash = $1", BearerTokens.hash(idle)));
        assertEquals(1L, TestDb.count(db, "SELECT count(*) FROM web_sessions WHERE sid_hash = $1", BearerTokens.hash(live)));
        assertEquals(200, get("/api/users/me", live).statusCode());
    }

    /** Signs in through Keycloak's pages; returns the session cookie the browser was given. */
    private String signIn(BrowserUser user, String page) throws Exception {
        return user.signInToConsole(app.toString(), CONSOLE, page);
    }

    /** Signs in at Keycloak, stopping at the provider's redirect back to /web/login/end. */
    private URI toLoginEnd(BrowserUser user) throws Exception {
        user.approve(app + "web/login/start?redirect=" + enc(CONSOLE + "/x"), null,
                target -> target.getPath().equals("/web/login/end"));
        assertNotNull(user.stoppedAt, "the provider sent the browser back");
        return user.stoppedAt;
    }

    private void expireAccessToken(String sid) {
        db.preparedQuery("UPDATE web_sessions SET access_expires_at = now() - interval '1 minute' WHERE sid_hash = $1")
                .execute(Tuple.of(BearerTokens.hash(sid))).await().indefinitely();
    }

    private int version(String sid) {
        return db.preparedQuery("SELECT version FROM web_sessions WHERE sid_hash = $1").execute(Tuple.of(BearerTokens.hash(sid)))
                .await().indefinitely().iterator().next().getInteger(0);
    }

    private static String setCookie(HttpResponse<?> response, String name) {
        return response.headers().allValues("set-cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no Set-Cookie " + name + ": " + response.headers().allValues("set-cookie")));
    }

    private HttpResponse<String> get(String path, String sid) throws Exception {
        return send("GET", path, sid, null, null);
    }

    /** A GET carrying the named cookies of a browser. */
    private HttpResponse<String> get(String path, String sid, BrowserUser browser, String... cookies) throws Exception {
        StringBuilder header = new StringBuilder();
        for (String name : cookies) {
            if (browser.cookie(name) != null) {
                header.append(header.length() == 0 ? "" : "; ").append(name).append('=').append(browser.cookie(name));
            }
        }
        return http.send(HttpRequest.newBuilder(URI.create(app + path.substring(1))).header("Cookie", header.toString()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String sid, String origin, String body) throws Exception {
        return http.send(request(method, path, sid, origin, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String sid, String origin, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app + path.substring(1)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (sid != null) {
            b.header("Cookie", "sid=" + sid);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return b.build();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
