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
 * route cannot escape: no token, a foreign issuer's token, an invalid id in the path, a malformed body.
 * Each must be a 4xx with a JSON error body (naming the field where there is one), and store nothing.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class EveryRouteTest {

    @Inject
    Pool db;

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
        }
        assertEquals(before, rows(), "nothing stored");
        System.out.printf("every-route: %d routes refused without a token and with a foreign token%n", liveRoutes().size());
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
