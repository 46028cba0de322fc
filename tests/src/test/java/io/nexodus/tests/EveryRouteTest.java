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
            java.util.Map.entry("PATCH /api/reg-keys/{id}", "description"));

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
            // a watch item names its kind first (api.md §9), so its unknown field comes beside a valid kind
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
            if (!row.method().equals("GET") || !row.path().startsWith("/api/") || row.path().contains("{")) {
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
            if (!List.of("POST", "PUT", "PATCH").contains(row.method())) {
                continue;
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
}
