package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * What an owner does that the other suites only ever see refused: change and delete a VPC, read and delete
 * a device's metadata; and the two watch kinds besides {@code device}, {@code security-group} and
 * {@code device-metadata}, each seeing a change and a delete.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OwnerOperationsTest {

    @TestHTTPResource("/")
    URL base;

    private static RequestSpecification as(String user) {
        return given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON);
    }

    @Test
    void anOwnerChangesAndDeletesAVpc() {
        String owner = Nexd.user("vpc-owner");
        String org = Nexd.defaultVpc(owner);
        String vpc = as(owner).body("{\"organization_id\":\"" + org + "\",\"description\":\"lab\"}").post("/api/vpcs")
                .then().statusCode(201).extract().path("id");
        int revision = as(owner).get("/api/vpcs/" + vpc).then().statusCode(200).extract().path("revision");
        as(owner).body("{\"description\":\"lab two\"}").patch("/api/vpcs/" + vpc)
                .then().statusCode(200).body("description", equalTo("lab two"));
        int after = as(owner).get("/api/vpcs/" + vpc).then().statusCode(200).body("description", equalTo("lab two"))
                .extract().path("revision");
        assertTrue(after > revision, "a change moves the revision: " + revision + " → " + after);
        as(owner).delete("/api/vpcs/" + vpc).then().statusCode(200).body("id", equalTo(vpc));
        as(owner).get("/api/vpcs/" + vpc).then().statusCode(404).body("resource", equalTo("vpc"));
        as(owner).delete("/api/vpcs/" + org).then().statusCode(400); // the default VPC stays
    }

    @Test
    void anOwnerReadsAndDeletesADevicesMetadata() {
        String owner = Nexd.user("md-owner");
        String vpc = Nexd.defaultVpc(owner);
        String device = new Nexd().register(TestTokens.bearer(owner), vpc, "").then().statusCode(201).extract().path("id");
        as(owner).body("{\"type\":\"wireguard\"}").put("/api/devices/" + device + "/metadata/relay").then().statusCode(200);
        as(owner).body("{\"v\":2}").put("/api/devices/" + device + "/metadata/other").then().statusCode(200);
        as(owner).get("/api/devices/" + device + "/metadata/relay").then().statusCode(200)
                .body("key", equalTo("relay")).body("value.type", equalTo("wireguard"));
        as(owner).get("/api/devices/" + device + "/metadata").then().statusCode(200).body("size()", equalTo(2));
        as(owner).delete("/api/devices/" + device + "/metadata/relay").then().statusCode(204);
        as(owner).get("/api/devices/" + device + "/metadata/relay").then().statusCode(404);
        as(owner).delete("/api/devices/" + device + "/metadata").then().statusCode(204);
        as(owner).get("/api/devices/" + device + "/metadata").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void securityGroupAndMetadataWatchesSeeChangesAndDeletes() throws Exception {
        String owner = Nexd.user("watch-kinds");
        String vpc = Nexd.defaultVpc(owner);
        String device = new Nexd().register(TestTokens.bearer(owner), vpc, "").then().statusCode(201).extract().path("id");
        String watches = "[{\"kind\":\"security-group\",\"options\":{\"vpc-id\":\"" + vpc + "\"}},"
                + "{\"kind\":\"device-metadata\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
        try (WatchClient stream = new WatchClient(base, "/api/events",
                TestTokens.bearer(owner), watches)) {
            stream.untilTail("security-group");
            stream.untilTail("device-metadata");
            String group = as(owner).body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"web\"}").post("/api/security-groups")
                    .then().statusCode(201).extract().path("id");
            JsonObject created = stream.next(5);
            assertEquals("security-group", created.getString("kind"), created.encode());
            assertEquals("change", created.getString("type"));
            assertEquals(group, created.getJsonObject("value").getString("id"));
            as(owner).delete("/api/security-groups/" + group).then().statusCode(200);
            JsonObject deleted = stream.next(5);
            assertEquals("security-group", deleted.getString("kind"), deleted.encode());
            assertEquals("delete", deleted.getString("type"));

            as(owner).body("{\"type\":\"wireguard\"}").put("/api/devices/" + device + "/metadata/relay").then().statusCode(200);
            JsonObject put = stream.next(5);
            assertEquals("device-metadata", put.getString("kind"), put.encode());
            assertEquals("change", put.getString("type"));
            assertEquals("relay", put.getJsonObject("value").getString("key"));
            as(owner).delete("/api/devices/" + device + "/metadata/relay").then().statusCode(204);
            JsonObject gone = stream.next(5);
            assertEquals("device-metadata", gone.getString("kind"), gone.encode());
            assertEquals("delete", gone.getString("type"));
        }
    }
}
