package io.nexodus.fn.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.nexodus.testing.DiscoveryStub;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The auth function under its three bindings, with a real discovery document over HTTP. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = DiscoveryStub.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class AuthTest {

    @Test
    void loginStartNamesTheProviderTheClientAndTheTimeWithoutAToken() {
        int before = DiscoveryStub.REQUESTS.get();
        for (int i = 0; i < 3; i++) {
            String serverTime = given().post("/device/login/start").then().statusCode(200)
                    .body("issuer", endsWith("/realms/nexodus"))
                    .body("device_authorization_endpoint", endsWith("/realms/nexodus/protocol/openid-connect/auth/device"))
                    .body("client_id", equalTo("nexodus-cli"))
                    .extract().path("server_time");
            assertTrue(Duration.between(Instant.parse(serverTime), Instant.now()).abs().toSeconds() < 60, serverTime);
        }
        assertTrue(DiscoveryStub.REQUESTS.get() - before <= 1, "the discovery document is fetched once and kept");
        given().header("Authorization", TestTokens.bearer("ann")).contentType("application/json").body("{}")
                .post("/device-login-start").then().statusCode(200).body("client_id", equalTo("nexodus-cli"));
        given().header("Authorization", TestTokens.bearer("ann")).header("ce-specversion", "1.0")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "test")
                .header("ce-type", "io.nexodus.device.login.start").contentType("application/json").body("{}")
                .post("/").then().statusCode(200).header("ce-type", "io.nexodus.device.login.started")
                .body("client_id", equalTo("nexodus-cli"));
    }

    @Test
    void certsAreAnEmptyKeySetSinceNoTokenIsMintedHere() {
        given().get("/device/certs").then().statusCode(200).body("keys", empty());
    }

    @Test
    void flagsComeFromConfigurationAndAnyTokenMayReadThem() {
        String noScopes = "Bearer " + TestTokens.token(UUID.randomUUID().toString(), "flagger",
                java.util.Map.of("scope", "openid"));
        given().header("Authorization", noScopes).get("/api/fflags").then().statusCode(200)
                .body("multi-organization", equalTo(true)).body("security-groups", equalTo(false))
                .body("devices", equalTo(true)).body("sites", equalTo(false)).body("ca", equalTo(false));
        given().header("Authorization", noScopes).get("/api/fflags/devices").then().statusCode(200)
                .body("devices", equalTo(true));
        given().header("Authorization", noScopes).get("/api/fflags/teleport").then().statusCode(404)
                .body("resource", equalTo("fflag"));
        given().header("Authorization", noScopes).contentType("application/json").body("{\"name\":\"devices\"}")
                .post("/get-fflag").then().statusCode(200).body("devices", equalTo(true));
        given().header("Authorization", noScopes).contentType("application/json").body("{}")
                .post("/get-fflag").then().statusCode(400).body("field", equalTo("name"));
        given().header("Authorization", noScopes).contentType("application/json").body("{}")
                .post("/list-fflags").then().statusCode(200).body("ca", equalTo(false));
        given().get("/api/fflags").then().statusCode(401).body("error", notNullValue());
        assertEquals(5, given().header("Authorization", noScopes).get("/api/fflags").jsonPath().getMap("$").size());
    }
}
