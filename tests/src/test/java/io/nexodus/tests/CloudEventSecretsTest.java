package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A CloudEvent's reply goes back into the Broker, where every Trigger's subscriber reads it: it carries no
 * secret — neither a new registration key's token nor a device's sealed token (v1 opens with the device's
 * public key alone) — while the same operation over HTTP still answers with them. And the
 * {@code ce-authorization} extension authenticates CloudEvents only, never a plain REST call.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class CloudEventSecretsTest {

    private static RequestSpecification event(String bearer, String type) {
        return given().header("ce-authorization", bearer).contentType("application/json")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-specversion", "1.0")
                .header("ce-source", "/tests").header("ce-type", type);
    }

    @Test
    void aRegistrationKeysTokenIsInTheHttpAnswerAndNeverInTheEventReply() {
        String user = Nexd.user("ce-secrets");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String body = "{\"vpc_id\":\"" + vpc + "\"}";
        event(bearer, "io.nexodus.regkey.create").body(body).post("/")
                .then().statusCode(200).header("ce-type", "io.nexodus.regkey.created")
                .body("id", notNullValue()).body("bearer_token", nullValue());
        given().header("Authorization", bearer).contentType("application/json").body(body).post("/create-reg-key")
                .then().statusCode(200).body("bearer_token", startsWith("RK:"));
        given().header("Authorization", bearer).contentType("application/json").body(body).post("/api/reg-keys")
                .then().statusCode(201).body("bearer_token", startsWith("RK:"));
    }

    @Test
    void aDevicesSealedTokenIsInTheHttpAnswerAndNeverInTheEventReply() {
        String user = Nexd.user("ce-device");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        Nexd agent = new Nexd();
        event(bearer, "io.nexodus.device.register")
                .body("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"" + agent.publicKey + "\"}").post("/")
                .then().statusCode(200).header("ce-type", "io.nexodus.device.registered")
                .body("public_key", equalTo(agent.publicKey)).body("bearer_token", nullValue());
        new Nexd().register(bearer, vpc, "").then().statusCode(201).body("bearer_token", notNullValue());
    }

    @Test
    void theExtensionDoesNotAuthenticateAPlainRestCall() {
        String bearer = TestTokens.bearer(Nexd.user("ce-rest"));
        given().header("ce-authorization", bearer).get("/api/users/me").then().statusCode(401);
        given().header("Authorization", bearer).get("/api/users/me").then().statusCode(200);
    }
}
