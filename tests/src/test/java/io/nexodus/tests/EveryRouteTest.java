package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Bad input on every live route, enumerated from the route table (functions/ROUTES.md) so that a new
 * route cannot escape: no token, a foreign issuer's token, an expired token, an invalid id in the path, a
 * malformed body, a field of the wrong type, an unknown field.
 * Each must be a 4xx with a JSON error body (naming the field where there is one), and store nothing.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class EveryRouteTest {

    @Inject
    Pool db;

    /**
     * The live routes of the route table, the oracle (not the application's own list of public paths): every
     * one of them needs a token, {@code /private/gc} included (the service token).
     */
    private static List<RouteTableTest.Row> liveRoutes() throws Exception {
        List<RouteTableTest.Row> live = new ArrayList<>();
        for (RouteTableTest.Row row : RouteTableTest.rows()) {
            if (row.status().equals("live")) {
                live.add(row);
            }
        }
        assertTrue(live.size() > 20, "the route table has live routes");
        return live;
    }

    /** Routes that take no token (Nexodus's internal/routers/routers.go: outside /api): nexd calls them before it has one. */
    private static boolean isPublic(RouteTableTest.Row row) {
        return row.path().startsWith("/device/") || row.path().startsWith("/web/");
    }

    private static Response call(RequestSpecification request, RouteTableTest.Row row, String path) {
        return request.request(row.method(), path);
    }

    private static String withIds(String path, String value) {
        return path.replace("{key}", "some-key").replaceAll("\\{[a-z_]+}", value);
    }

    private static void assertJsonError(Response response, String what) {
        int status = response.statusCode();
        assertTrue(status >= 400 && status < 500, what + ": expected a 4xx, got " + status + " " + response.asString());
        assertTrue(response.contentType().startsWith("application/json"), what + ": JSON body, got " + response.contentType());
        assertNotNull(response.jsonPath().getString("error"), what + ": an error message");
    }

    private long rows() {
        return db.query("SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM vpcs)"
                + " + (SELECT count(*) FROM devices) + (SELECT count(*) FROM reg_keys)"
                + " + (SELECT count(*) FROM device_metadata) + (SELECT count(*) FROM security_groups)"
                + " + (SELECT count(*) FROM invitations)").execute().await().indefinitely().iterator().next().getLong(0);
    }

    /** A token of the trusted issuer that expired an hour ago. */
    private static final String EXPIRED = TestTokens.issuer().token(UUID.randomUUID().toString(), "late", -3600,
            java.util.Map.of());

    /**
     * For every route that reads a JSON body: a field of that body, given a value of the wrong type (an
     * object where a string, UUID or list is expected). A route with a body that is missing here fails
     * the test, so a new route cannot escape. {@code null}: the body is free-form (device metadata takes
     * any JSON value) or the route reads none.
     */
    private static final java.util.Map<String, String> WRONG_TYPE_FIELD = java.util.Map.ofEntries(
            java.util.Map.entry("POST /api/organizations", "name"),
            java.util.Map.entry("POST /api/invitations", "organization_id"),
            java.util.Map.entry("POST /api/invitations/{id}/accept", ""),
            java.util.Map.entry("POST /api/vpcs", "description"),
            java.util.Map.entry("PATCH /api/vpcs/{id}", "description"),
            java.util.Map.entry("POST /api/vpcs/{id}/events", "[0].kind"),
            java.util.Map.entry("POST /api/events", "[0].kind"),
            java.util.Map.entry("POST /api/devices", "public_key"),
            java.util.Map.entry("PATCH /api/devices/{id}", "hostname"),
            java.util.Map.entry("POST /api/devices/{id}/token", ""),
            java.util.Map.entry("PUT /api/devices/{id}/metadata/{key}", ""),
            java.util.Map.entry("POST /api/security-groups", "description"),
            java.util.Map.entry("PATCH /api/security-groups/{id}", "description"),
            java.util.Map.entry("POST /api/reg-keys", "description"),
            java.util.Map.entry("PATCH /api/reg-keys/{id}", "description"),
            java.util.Map.entry("POST /device/login/start", ""),
            java.util.Map.entry("POST /web/refresh", ""));

    private static List<RouteTableTest.Row> bodyRoutes() throws Exception {
        return liveRoutes().stream().filter(row -> List.of("POST", "PUT", "PATCH").contains(row.method())).toList();
    }

    @Test
    void everyRouteWithABodyRefusesWrongTypesAndUnknownFieldsNamingThem() throws Exception {
        String user = Nexd.user("mallet");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        long before = rows();
        int wrongTypes = 0;
        int unknownFields = 0;
        for (RouteTableTest.Row row : bodyRoutes()) {
            assertTrue(WRONG_TYPE_FIELD.containsKey(row.key()), row.key() + " reads a body: name a field of it in WRONG_TYPE_FIELD");
            String field = WRONG_TYPE_FIELD.get(row.key());
            if (field.isEmpty()) {
                continue;
            }
            String path = withIds(row.path(), vpc);
            boolean list = field.startsWith("[0].");
            String name = list ? field.substring(4) : field;
            String wrong = "{\"" + name + "\": {\"nested\": true}}";
            Response typed = call(given().header("Authorization", bearer).contentType("application/json")
                    .body(list ? "[" + wrong + "]" : wrong), row, path);
            assertEquals(400, typed.statusCode(), row.key() + " with " + field + " of the wrong type: " + typed.asString());
            assertJsonError(typed, row.key() + " with a wrong type");
            assertTrue(typed.jsonPath().getString("field").endsWith(list ? "[0]." + name : name),
                    row.key() + ": names " + field + ", got " + typed.asString());
            wrongTypes++;
            // a watch item names its kind first (Nexodus's internal/handlers/events.go), so its unknown field comes beside a valid kind
            String unknown = list ? "{\"kind\": \"device\", \"no_such_field\": 1}" : "{\"no_such_field\": 1}";
            Response extra = call(given().header("Authorization", bearer).contentType("application/json")
                    .body(list ? "[" + unknown + "]" : unknown), row, path);
            assertEquals(400, extra.statusCode(), row.key() + " with an unknown field: " + extra.asString());
            assertJsonError(extra, row.key() + " with an unknown field");
            assertTrue(extra.jsonPath().getString("field").endsWith("no_such_field"),
                    row.key() + ": names the unknown field, got " + extra.asString());
            unknownFields++;
        }
        assertEquals(before, rows(), "nothing stored");
        System.out.printf("every-route: %d routes refused a wrong type and %d an unknown field, naming it%n", wrongTypes,
                unknownFields);
    }

    @Test
    void everyRouteRefusesMissingAndForeignTokens() throws Exception {
        String foreign = io.nexodus.shared.identity.DevTokenIssuer.create("https://elsewhere.example").token("mallory");
        long before = rows();
        for (RouteTableTest.Row row : liveRoutes()) {
            if (isPublic(row)) {
                continue;
            }
            String path = withIds(row.path(), UUID.randomUUID().toString());
            Response none = call(given().contentType("application/json").body("{}"), row, path);
            assertEquals(401, none.statusCode(), row.key() + " without a token");
            assertJsonError(none, row.key() + " without a token");
            Response stranger = call(given().header("Authorization", "Bearer " + foreign).contentType("application/json")
                    .body("{}"), row, path);
            assertEquals(401, stranger.statusCode(), row.key() + " with another issuer's token");
            Response expired = call(given().header("Authorization", "Bearer " + EXPIRED).contentType("application/json")
                    .body("{}"), row, path);
            assertEquals(401, expired.statusCode(), row.key() + " with an expired token");
            assertJsonError(expired, row.key() + " with an expired token");
        }
        assertEquals(before, rows(), "nothing stored");
        System.out.printf("every-route: %d routes refused without a token and with a foreign token%n", liveRoutes().size());
    }

    /** Every list: a range that would overflow the page size (a 500 once) or is no index is a 400 naming it. */
    @Test
    void everyListRefusesARangeBeyondItsBounds() throws Exception {
        String bearer = TestTokens.bearer(Nexd.user("rita"));
        int lists = 0;
        for (RouteTableTest.Row row : liveRoutes()) {
            // the flags are one JSON object, not a list
            if (!row.method().equals("GET") || !row.path().startsWith("/api/") || row.path().contains("{")
                    || row.path().startsWith("/api/fflags")) {
                continue;
            }
            for (String range : List.of("[0,9223372036854775807]", "[0,99999999999999999999]", "[-1,5]", "[0,1.5]", "[5,2]")) {
                Response response = given().header("Authorization", bearer).queryParam("range", range).get(row.path());
                assertEquals(400, response.statusCode(), row.key() + " range=" + range + ": " + response.asString());
                assertEquals("range", response.jsonPath().getString("field"), row.key() + " range=" + range);
            }
            given().header("Authorization", bearer).queryParam("range", "[0,9]").get(row.path()).then().statusCode(200);
            lists++;
        }
        assertTrue(lists >= 7, "the lists of the route table: " + lists);
    }

    @Test
    void everyRouteWithAPathIdRefusesAnInvalidOne() throws Exception {
        String bearer = TestTokens.bearer(Nexd.user("ivan"));
        int checked = 0;
        long before = rows();
        for (RouteTableTest.Row row : liveRoutes()) {
            if (!row.path().matches(".*\\{(id|uid|organization)}.*")) {
                continue;
            }
            Response response = call(given().header("Authorization", bearer).contentType("application/json").body("{}"),
                    row, withIds(row.path(), "not-a-uuid"));
            assertEquals(400, response.statusCode(), row.key() + " with an invalid id: " + response.asString());
            assertJsonError(response, row.key());
            assertNotNull(response.jsonPath().getString("field"), row.key() + ": names the field");
            checked++;
        }
        assertEquals(before, rows() - 3, "only the caller's personal tenant was created (organization, VPC, security group)");
        System.out.printf("every-route: %d routes refused an invalid path id, naming the field%n", checked);
    }

    @Test
    void everyRouteWithABodyRefusesMalformedJson() throws Exception {
        String user = Nexd.user("judy");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        int checked = 0;
        for (RouteTableTest.Row row : liveRoutes()) {
            if (!List.of("POST", "PUT", "PATCH").contains(row.method()) || isPublic(row)) {
                continue; // the public POST reads no body
            }
            Response response = call(given().header("Authorization", bearer).contentType("application/json")
                    .body("{\"vpc_id\": \"" + vpc + "\", "), row, withIds(row.path(), vpc));
            assertJsonError(response, row.key() + " with malformed JSON");
            checked++;
        }
        long stored = db.query("SELECT count(*) FROM devices").execute().await().indefinitely().iterator().next().getLong(0);
        assertEquals(0, stored, "nothing stored");
        System.out.printf("every-route: %d routes with a body refused malformed JSON%n", checked);
        // an oversized body is refused before it is read whole
        String huge = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        Response tooLarge = given().header("Authorization", bearer).contentType("application/json").body(huge)
                .post("/api/organizations");
        assertEquals(413, tooLarge.statusCode(), "a 2 MiB body");
    }

    /** The scopes an identity-provider token may hold (Nexodus's internal/routers/token.rego). */
    private static final List<String> ALL_SCOPES = List.of("read:organizations", "write:organizations", "read:users",
            "write:users", "read:devices", "write:devices");

    /**
     * The oracle of Nexodus's internal/routers/token.rego (docs/identity.md, "Scopes"), written out here
     * independently of ScopeRules: a route's scope by the first segment after /api/ and read (GET) or write; null
     * where any token may call it.
     */
    static String scopeOf(RouteTableTest.Row row) {
        if (!row.path().startsWith("/api/") || row.path().startsWith("/api/fflags")) {
            return null;
        }
        if (row.key().equals("POST /api/events") || row.key().equals("POST /api/vpcs/{id}/events")) {
            return "read:organizations"; // a watch shows what the VPC's list routes show: docs/identity.md, "Scopes"
        }
        String family = switch (row.path().split("/")[2]) {
            case "devices" -> "devices";
            case "users" -> "users";
            default -> "organizations";
        };
        return (row.method().equals("GET") ? "read:" : "write:") + family;
    }

    /** A token of the trusted issuer with every scope but {@code missing}. */
    private static String bearerWithout(String subject, String missing) {
        return bearerWith(subject, "openid profile " + String.join(" ", ALL_SCOPES.stream()
                .filter(s -> !s.equals(missing)).toList()));
    }

    private static String bearerWith(String subject, String scopes) {
        return "Bearer " + TestTokens.token(subject, "scoped", java.util.Map.of("scope", scopes));
    }

    private static void assertMissingScope(Response response, String scope, String what) {
        assertEquals(403, response.statusCode(), what + " without " + scope + ": " + response.asString());
        assertEquals("scope", response.jsonPath().getString("field"), what + ": names the scope field");
        assertEquals("missing scope " + scope, response.jsonPath().getString("reason"), what);
    }

    @Test
    void everyRouteRefusesATokenWithoutItsScope() throws Exception {
        String subject = UUID.randomUUID().toString();
        String vpc = Nexd.defaultVpc(Nexd.user("scoped"));
        // the caller's own tenant exists first: the routes that need no scope would create it
        given().header("Authorization", bearerWith(subject, "openid read:users")).get("/api/users/me").then().statusCode(200);
        long before = rows();
        int refused = 0;
        for (RouteTableTest.Row row : liveRoutes()) {
            String scope = scopeOf(row);
            String path = withIds(row.path(), vpc);
            if (scope == null) {
                // any token: one with no scope at all is not refused for a scope
                Response any = call(given().header("Authorization", bearerWith(subject, "openid profile"))
                        .contentType("application/json").body("[]"), row, path);
                assertTrue(any.statusCode() != 403 || !"scope".equals(any.jsonPath().getString("field")),
                        row.key() + " needs no scope: " + any.asString());
                continue;
            }
            assertMissingScope(call(given().header("Authorization", bearerWithout(subject, scope))
                    .contentType("application/json").body("{}"), row, path), scope, row.key());
            refused++;
        }
        assertEquals(before, rows(), "nothing stored");
        assertTrue(refused > 40, "routes refused: " + refused);
        System.out.printf("every-route: %d routes refused a token without their scope (403 naming it)%n", refused);
    }

    /**
     * The same scopes under Funqy and CloudEvents: every function (but gc's, which takes the service token, and
     * the auth function's, which any token may call) declares one, and is refused without it, called by its
     * name, as a binary-mode and as a structured-mode CloudEvent.
     */
    @Test
    void everyFunctionRefusesATokenWithoutItsScopeUnderFunqyAndCloudEvents() {
        String subject = UUID.randomUUID().toString();
        java.util.Set<String> anyToken = java.util.Set.of("gc", "device-login-start", "device-certs", "list-fflags",
                "get-fflag");
        int refused = 0;
        for (io.quarkus.funqy.runtime.FunctionInvoker function : io.quarkus.funqy.runtime.FunctionRecorder.registry.invokers()) {
            io.nexodus.shared.identity.RequiresScope declared = function.getMethod()
                    .getAnnotation(io.nexodus.shared.identity.RequiresScope.class);
            if (anyToken.contains(function.getName())) {
                assertEquals(null, declared, function.getName() + " takes any token");
                continue;
            }
            assertNotNull(declared, function.getName() + " declares the scope of its route (@RequiresScope)");
            // the expected scope comes from token.rego's rule, not from the annotation under test: a token
            // lacking it must be refused, so a function declaring too weak a scope fails here
            String scope = expectedScope(function.getName());
            assertEquals(scope, declared.value(), function.getName() + " declares the scope token.rego's rule gives it");
            String bearer = bearerWithout(subject, scope);
            assertMissingScope(given().header("Authorization", bearer).contentType("application/json").body("{}")
                    .post("/" + function.getName()), scope, "POST /" + function.getName());
            io.quarkus.funqy.knative.events.CloudEventMapping mapping = function.getMethod()
                    .getAnnotation(io.quarkus.funqy.knative.events.CloudEventMapping.class);
            String type = mapping == null || mapping.trigger().isEmpty() ? function.getName() : mapping.trigger();
            assertMissingScope(given().header("Authorization", bearer).header("ce-specversion", "1.0")
                    .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "test").header("ce-type", type)
                    .contentType("application/json").body("{}").post("/"), scope, "binary CloudEvent " + type);
            assertMissingScope(given().header("Authorization", bearer).contentType("application/cloudevents+json")
                    .body("{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"test\",\"type\":\""
                            + type + "\",\"datacontenttype\":\"application/json\",\"data\":{}}")
                    .post("/"), scope, "structured CloudEvent " + type);
            refused++;
        }
        assertTrue(refused > 40, "functions refused: " + refused);
        System.out.printf("every-function: %d functions refused a token without their scope under Funqy and both"
                + " CloudEvent modes%n", refused);
    }

    /**
     * token.rego's rule, on Funqy names (independent of {@code @RequiresScope}): {@code get-}/{@code list-} read, every
     * other verb writes; the area is the resource the name starts with, as the REST path's first segment
     * decides it (devices, users, and everything else — organizations, VPCs, invitations, keys, security
     * groups, peers — under organizations).
     */
    static String expectedScope(String function) {
        String access = function.startsWith("get-") || function.startsWith("list-") ? "read:" : "write:";
        String noun = function.substring(function.indexOf('-') + 1);
        String area = noun.startsWith("device") ? "devices" : noun.startsWith("user") ? "users" : "organizations";
        return access + area;
    }

    /**
     * What Funqy dispatches is what is authorized (an outside review's attack): its two forms ran any function
     * with a token holding no {@code write:} scope at all. A binary event without {@code ce-specversion} was
     * dispatched by its {@code ce-type} while the scope check saw a plain {@code POST /}; a structured event
     * with a harmless {@code ce-type} header was checked by the header and dispatched by its body. Each
     * ambiguous form is now a 400 naming the header, and a CloudEvent sent to another function's path is
     * still checked by its type. Nothing is stored.
     */
    @Test
    void noBindingRunsAFunctionWithoutItsScopeWhateverTheEventClaims() {
        String subject = UUID.randomUUID().toString();
        String readOnly = bearerWith(subject, "openid profile read:organizations read:users read:devices");
        given().header("Authorization", readOnly).get("/api/users/me").then().statusCode(200);
        long before = rows();
        String[] writes = { "io.nexodus.regkey.create", "io.nexodus.vpc.create", "io.nexodus.organization.create" };
        String body = "{\"description\":\"attack\",\"name\":\"attack-" + subject + "\"}";
        for (String type : writes) {
            assertNotNull(io.nexodus.shared.http.FunqyFunctions.invokerFor("/", type), type + " is a live type");
            // binary mode without ce-specversion: Funqy takes ce-id as enough
            Response noSpecVersion = given().header("Authorization", readOnly).header("ce-id", UUID.randomUUID().toString())
                    .header("ce-source", "attack").header("ce-type", type).contentType("application/json").body(body).post("/");
            assertFieldError(noSpecVersion, "ce-specversion", "binary " + type + " without ce-specversion");
            // structured mode with a decoy header
            Response decoy = given().header("Authorization", readOnly).header("ce-type", "io.nexodus.fflags.list")
                    .contentType("application/cloudevents+json").body(structured(type, body)).post("/");
            assertFieldError(decoy, "ce-type", "structured " + type + " with a decoy ce-type header");
            // ce-* headers without ce-id on a function's path: Funqy runs the path's function
            Response noId = given().header("Authorization", readOnly).header("ce-specversion", "1.0")
                    .header("ce-type", "io.nexodus.fflags.list").contentType("application/json").body(body).post("/create-vpc");
            assertFieldError(noId, "ce-id", "ce-type without ce-id on POST /create-vpc");
            // ce-id with a structured content type: Funqy would read the headers, a reader the body
            Response both = given().header("Authorization", readOnly).header("ce-id", UUID.randomUUID().toString())
                    .header("ce-specversion", "1.0").header("ce-source", "attack").header("ce-type", "io.nexodus.fflags.list")
                    .contentType("application/cloudevents+json").body(structured(type, body)).post("/");
            assertFieldError(both, "Content-Type", "binary headers on a structured " + type);
            // a structured body naming the type twice: Jackson would take the last
            Response twice = given().header("Authorization", readOnly).contentType("application/cloudevents+json")
                    .body(structured(type, body).replace("{\"specversion\"", "{\"type\":\"io.nexodus.fflags.list\",\"specversion\""))
                    .post("/");
            assertEquals(400, twice.statusCode(), "a structured " + type + " naming its type twice: " + twice.asString());
            // well-formed, on the path of a function that needs no scope: the type decides
            Response elsewhere = given().header("Authorization", readOnly).header("ce-specversion", "1.0")
                    .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "attack").header("ce-type", type)
                    .contentType("application/json").body(body).post("/list-fflags");
            assertMissingScope(elsewhere, "write:organizations", "binary " + type + " on POST /list-fflags");
            Response structuredElsewhere = given().header("Authorization", readOnly)
                    .contentType("application/cloudevents+json").body(structured(type, body)).post("/list-fflags/");
            assertMissingScope(structuredElsewhere, "write:organizations", "structured " + type + " on POST /list-fflags/");
        }
        assertEquals(before, rows(), "nothing stored");
    }

    private static String structured(String type, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"attack\",\"type\":\"" + type
                + "\",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
    }

    private static void assertFieldError(Response response, String field, String what) {
        assertEquals(400, response.statusCode(), what + ": " + response.asString());
        assertEquals(field, response.jsonPath().getString("field"), what + ": names the header");
    }
}
