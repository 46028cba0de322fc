package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every live route of the route table, tried by a second tenant on the first tenant's resources: all
 * refused (401/403/404, or 400 where the input is refused before anything is looked up), and the first
 * tenant's rows unchanged. Generated from functions/ROUTES.md, so a new route is covered on arrival.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class TenantIsolationTest {

    @Inject
    Pool db;

    /** Everything tenant A has, as one string to compare before and after. */
    private String snapshot(UUID userId) {
        return db.preparedQuery("SELECT concat_ws('|',"
                        + " (SELECT string_agg(id || ':' || name || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM organizations o"
                        + "   WHERE EXISTS (SELECT 1 FROM user_organizations uo WHERE uo.organization_id = o.id AND uo.user_id = $1)),"
                        + " (SELECT string_agg(organization_id || ':' || array_to_string(roles, '+'), ',' ORDER BY organization_id)"
                        + "   FROM user_organizations WHERE user_id = $1),"
                        + " (SELECT string_agg(id || ':' || revision || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM vpcs WHERE organization_id = $1),"
                        + " (SELECT string_agg(id || ':' || revision || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM devices WHERE owner_id = $1),"
                        + " (SELECT string_agg(id || ':' || (deleted_at IS NULL) || ':' || coalesce(description, ''), ',' ORDER BY id) FROM reg_keys WHERE owner_id = $1),"
                        + " (SELECT string_agg(key || ':' || revision || ':' || (deleted_at IS NULL), ',' ORDER BY key) FROM device_metadata m"
                        + "   WHERE m.device_id IN (SELECT id FROM devices WHERE owner_id = $1)),"
                        + " (SELECT string_agg(id || ':' || revision || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM security_groups WHERE organization_id = $1),"
                        + " (SELECT string_agg(id || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM invitations WHERE organization_id = $1),"
                        + " (SELECT string_agg(id || ':' || (deleted_at IS NULL), ',' ORDER BY id) FROM users WHERE id = $1))")
                .execute(Tuple.of(userId)).await().indefinitely().iterator().next().getString(0);
    }

    @Test
    void aSecondTenantIsRefusedOnEveryRoute() throws Exception {
        String alice = Nexd.user("alice");
        String aliceBearer = TestTokens.bearer(alice);
        String vpc = Nexd.defaultVpc(alice);
        UUID aliceId = UUID.fromString(vpc);
        String device = new Nexd().register(aliceBearer, vpc, "").then().statusCode(201).extract().path("id");
        given().header("Authorization", aliceBearer).contentType(ContentType.JSON).body("{\"a\":1}")
                .put("/api/devices/" + device + "/metadata/k").then().statusCode(200);
        String regKey = given().header("Authorization", aliceBearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"mine\"}").post("/api/reg-keys")
                .then().statusCode(201).extract().path("id");
        String invitation = given().header("Authorization", aliceBearer).contentType(ContentType.JSON)
                .body("{\"organization_id\":\"" + vpc + "\",\"email\":\"friend@example.org\"}").post("/api/invitations")
                .then().statusCode(201).extract().path("id");
        Map<String, String> ids = Map.of("organizations", vpc, "vpcs", vpc, "devices", device, "reg-keys", regKey,
                "users", vpc, "security-groups", vpc, "invitations", invitation);

        String mallory = TestTokens.bearer(Nexd.user("mallory"));
        given().header("Authorization", mallory).get("/api/users/me").then().statusCode(200);
        String before = snapshot(aliceId);

        List<String> refused = new ArrayList<>();
        for (RouteTableTest.Row row : RouteTableTest.rows()) {
            if (!row.status().equals("live") || !row.path().contains("{")) {
                continue;
            }
            String resource = row.path().split("/")[2];
            String id = ids.getOrDefault(resource, UUID.randomUUID().toString());
            String path = row.path().replace("{id}", id).replace("{uid}", vpc).replace("{organization}", vpc)
                    .replace("{key}", "k");
            String body = row.path().endsWith("/events") ? "[{\"kind\":\"device\"}]" : "{}";
            Response response = given().header("Authorization", mallory).contentType(ContentType.JSON).body(body)
                    .request(row.method(), path);
            int status = response.statusCode();
            assertTrue(status == 400 || status == 401 || status == 403 || status == 404,
                    row.key() + " as another tenant: " + status + " " + response.asString());
            refused.add(row.key() + "=" + status);
        }
        assertEquals(before, snapshot(aliceId), "nothing of the first tenant changed");
        System.out.printf("tenant isolation: %d routes tried by a second tenant on the first tenant's resources,"
                + " all refused, nothing changed: %s%n", refused.size(), refused);
        assertTrue(refused.size() > 15);
    }
}
