package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * A VPC's life through the API: a private-CIDR VPC made over REST hands its own
 * addresses out; it cannot be deleted while a device is in it, and nothing changes when that is refused; once
 * empty, its delete gives its prefixes back to IPAM; and a stream watching the organization's VPCs hears each
 * change and the delete, at once.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class VpcLifecycleTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    private long prefixes(String cidr) {
        return TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE cidr::text = $1", cidr);
    }

    @Test
    void aPrivateVpcLivesAndDiesThroughTheApiAndItsWatchersHearIt() throws Exception {
        String user = Nexd.user("vpc-life");
        String bearer = TestTokens.bearer(user);
        String org = Nexd.defaultVpc(user);
        try (WatchClient watch = new WatchClient(base, "/api/events", bearer,
                "[{\"kind\":\"vpc\",\"gt_revision\":0,\"at_tail\":false,\"options\":{\"vpc-id\":\"" + org + "\"}}]")) {
            assertEquals(200, watch.status);
            watch.untilTail("vpc");

            String vpc = given().header("Authorization", bearer).contentType(ContentType.JSON)
                    .body("{\"organization_id\":\"" + org + "\",\"description\":\"private\",\"private_cidr\":true,"
                            + "\"ipv4_cidr\":\"10.77.5.0/24\",\"ipv6_cidr\":\"fd77:5::/64\"}")
                    .post("/api/vpcs").then().statusCode(201).body("private_cidr", equalTo(true))
                    .body("ipv4_cidr", equalTo("10.77.5.0/24")).extract().path("id");
            JsonObject created = watch.next(5);
            assertEquals("change", created.getString("type"), created.encode());
            assertEquals(vpc, created.getJsonObject("value").getString("id"), "the organization's watcher hears the new VPC");
            assertEquals(1, prefixes("10.77.5.0/24"), "its prefix is in IPAM");

            String device = new Nexd().register(bearer, vpc, "").then().statusCode(201)
                    .body("ipv4_tunnel_ips[0].address", startsWith("10.77.5.")).extract().path("id");

            given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"description\":\"renamed\"}")
                    .patch("/api/vpcs/" + vpc).then().statusCode(200);
            JsonObject updated = watch.next(5);
            assertEquals("renamed", updated.getJsonObject("value").getString("description"), updated.encode());

            // refused while a device is in it, and nothing changes
            given().header("Authorization", bearer).delete("/api/vpcs/" + vpc).then().statusCode(400)
                    .body("reason", equalTo("vpc cannot be deleted while devices are still attached"));
            given().header("Authorization", bearer).get("/api/vpcs/" + vpc).then().statusCode(200)
                    .body("description", equalTo("renamed"));
            given().header("Authorization", bearer).get("/api/devices/" + device).then().statusCode(200);
            assertEquals(1, prefixes("10.77.5.0/24"), "the refused delete gave nothing back");
            watch.assertQuiet(500);

            given().header("Authorization", bearer).delete("/api/devices/" + device).then().statusCode(200);
            given().header("Authorization", bearer).delete("/api/vpcs/" + vpc).then().statusCode(200);
            JsonObject deleted = watch.next(5);
            assertEquals("delete", deleted.getString("type"), deleted.encode());
            assertEquals(vpc, deleted.getJsonObject("value").getString("id"));
            assertEquals(0, prefixes("10.77.5.0/24"), "the private VPC's IPv4 prefix is back in IPAM");
            assertEquals(0, prefixes("fd77:5::/64"), "and its IPv6 prefix");
            given().header("Authorization", bearer).get("/api/vpcs/" + vpc).then().statusCode(404);
        }
    }
}
