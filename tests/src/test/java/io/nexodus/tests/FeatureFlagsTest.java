package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A feature flag that is off turns the routes it guards into Nexodus's
 * {@code 405 {"error":"operation not allowed","reason":"<flag> support is disabled"}} (Nexodus's FlagCheck,
 * internal/handlers/api.go), before anything else about the request is looked at, under REST and Funqy alike; routes
 * it does not guard keep working, and {@code /api/fflags} says which flags are off.
 */
@QuarkusTest
@TestProfile(FeatureFlagsTest.FlagsOff.class)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FeatureFlagsTest {

    public static class FlagsOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("nexodus.fflag.multi-organization", "false", "nexodus.fflag.security-groups", "false",
                    "nexodus.fflag.devices", "false");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void aDisabledFlagAnswers405OnTheRoutesItGuardsAndNowhereElse() throws Exception {
        String user = Nexd.user("flags");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);

        given().header("Authorization", bearer).get("/api/fflags").then().statusCode(200)
                .body("multi-organization", equalTo(false)).body("security-groups", equalTo(false))
                .body("devices", equalTo(false));

        // multi-organization: create, delete, remove a member (even with a body that would be a 400)
        disabled(given().header("Authorization", bearer).contentType(ContentType.JSON).body("{}")
                .post("/api/organizations").then(), "multi-organization");
        disabled(given().header("Authorization", bearer).delete("/api/organizations/" + vpc).then(),
                "multi-organization");
        disabled(given().header("Authorization", bearer)
                .delete("/api/organizations/" + vpc + "/users/" + UUID.randomUUID()).then(), "multi-organization");
        disabled(given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"name\":\"flag-org\"}").post("/create-organization").then(), "multi-organization");
        // devices: the caller's device list; security-groups: creating one
        disabled(given().header("Authorization", bearer).get("/api/devices").then(), "devices");
        disabled(given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\"}").post("/api/security-groups").then(), "security-groups");
        // watches of a kind whose flag is off
        disabled(given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]").post("/api/events").then(),
                "devices");
        disabled(given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("[{\"kind\":\"security-group\"}]").post("/api/vpcs/" + vpc + "/events").then(),
                "security-groups");

        // what no flag guards keeps working: reading organizations, registering a device, listing the VPC's
        // devices, watching VPCs
        given().header("Authorization", bearer).get("/api/organizations").then().statusCode(200);
        new Nexd().register(bearer, vpc, "").then().statusCode(201);
        given().header("Authorization", bearer).get("/api/vpcs/" + vpc + "/devices").then().statusCode(200);
        try (WatchClient stream = new WatchClient(base, "/api/vpcs/" + vpc + "/events", bearer,
                "[{\"kind\":\"vpc\"}]")) {
            assertEquals(2, stream.untilTail("vpc").size(), "the VPC itself, then the tail");
        }
        // authentication still comes first: a caller without a token learns nothing of the flags
        given().contentType(ContentType.JSON).body("{}").post("/api/organizations").then().statusCode(401);
    }

    private static void disabled(ValidatableResponse response, String flag) {
        response.statusCode(405).body("error", equalTo("operation not allowed"))
                .body("reason", equalTo(flag + " support is disabled"));
    }
}
