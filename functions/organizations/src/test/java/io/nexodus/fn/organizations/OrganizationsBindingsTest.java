package io.nexodus.fn.organizations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The same operation through the three bindings: Nexodus REST, Funqy HTTP and CloudEvents. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OrganizationsBindingsTest {

    private final String user = "binder-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void funqyHttpInvocation() {
        String name = "funqy-" + UUID.randomUUID().toString().substring(0, 8);
        String id = given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"name\":\"" + name + "\"}")
                .when().post("/create-organization")
                .then().statusCode(200).body("name", equalTo(name)).extract().path("id");
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\"}")
                .when().post("/get-organization")
                .then().statusCode(200).body("name", equalTo(name));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{}")
                .when().post("/list-organizations")
                .then().statusCode(200).body("name", hasItem(name));
        // errors are the same JSON as on the REST routes
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"description\":\"x\"}")
                .when().post("/create-organization")
                .then().statusCode(400).body("field", equalTo("name"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + UUID.randomUUID() + "\"}")
                .when().post("/get-organization")
                .then().statusCode(404).body("resource", equalTo("organization"));
        given().contentType(ContentType.JSON).body("{}")
                .when().post("/list-organizations")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
    }

    @Test
    void funqyInputErrorsNameTheField() {
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"name\":\"x\",\"colour\":\"red\"}")
                .when().post("/create-organization")
                .then().statusCode(400).body("field", equalTo("colour"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"name\":[1,2]}")
                .when().post("/create-organization")
                .then().statusCode(400).body("field", equalTo("name"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"name\":")
                .when().post("/create-organization")
                .then().statusCode(400).body("error", org.hamcrest.Matchers.startsWith("request json is invalid"));
        given().header("Authorization", TestTokens.bearer(user))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "io.nexodus.organization.create").header("ce-source", "/tests")
                .contentType(ContentType.JSON).body("{\"name\":{\"a\":1}}")
                .when().post("/")
                .then().statusCode(400).body("field", equalTo("name"));
        String event = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/tests\","
                + "\"type\":\"io.nexodus.organization.create\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"name\":\"n\",\"size\":3}}";
        given().header("Authorization", TestTokens.bearer(user)).contentType("application/cloudevents+json")
                .body(event).when().post("/")
                .then().statusCode(400).body("field", equalTo("size"));
        // an event type no function takes
        given().header("Authorization", TestTokens.bearer(user))
                .header("ce-specversion", "1.0").header("ce-id", "2").header("ce-type", "io.nexodus.nothing")
                .header("ce-source", "/tests").contentType(ContentType.JSON).body("{}")
                .when().post("/")
                .then().statusCode(404).body("error", equalTo("not found"));
    }

    @Test
    void binaryModeCloudEvent() {
        String name = "ce-binary-" + UUID.randomUUID().toString().substring(0, 8);
        given().header("Authorization", TestTokens.bearer(user))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "io.nexodus.organization.create").header("ce-source", "/tests")
                .contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}")
                .when().post("/")
                .then().statusCode(200)
                .header("ce-type", "io.nexodus.organization.created")
                .header("ce-id", notNullValue())
                .body("name", equalTo(name));
    }

    /**
     * An event's token travels through the Broker to every matching Trigger: a registration key or device token
     * never, a user token only when it was issued for at most nexodus.events.max-token-lifetime (1 hour).
     */
    @Test
    void aCloudEventCarriesOnlyAShortLivedUserToken() {
        String subject = UUID.randomUUID().toString();
        String longLived = TestTokens.issuer().token(subject, user, 2 * 3600, java.util.Map.of());
        String hourLong = TestTokens.issuer().token(subject, user, 3600, java.util.Map.of());
        for (String[] refused : new String[][] {{"RK:" + "A".repeat(43) + "=", "registration key"},
                {"DT:" + "A".repeat(43) + "=", "registration key or device token"}, {longLived, "issued for at most 60 minutes"}}) {
            given().header("ce-authorization", "Bearer " + refused[0])
                    .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                    .header("ce-type", "io.nexodus.organizations.list").header("ce-source", "/tests")
                    .contentType(ContentType.JSON).body("{}")
                    .when().post("/")
                    .then().statusCode(401).body("error", equalTo("unauthorized"))
                    .body("reason", org.hamcrest.Matchers.containsString(refused[1]));
        }
        given().header("ce-authorization", "Bearer " + hourLong)
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "io.nexodus.organizations.list").header("ce-source", "/tests")
                .contentType(ContentType.JSON).body("{}")
                .when().post("/").then().statusCode(200);
        // the same long-lived token over REST, which no Broker relays: accepted
        given().header("Authorization", "Bearer " + longLived).get("/api/organizations").then().statusCode(200);
    }

    @Test
    void structuredModeCloudEvent() {
        String name = "ce-structured-" + UUID.randomUUID().toString().substring(0, 8);
        String event = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/tests\","
                + "\"type\":\"io.nexodus.organization.create\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"name\":\"" + name + "\"}}";
        given().header("Authorization", TestTokens.bearer(user))
                .contentType("application/cloudevents+json").body(event)
                .when().post("/")
                .then().statusCode(200)
                .contentType("application/cloudevents+json")
                .body("type", equalTo("io.nexodus.organization.created"))
                .body("data.name", equalTo(name));
        // the CloudEvent-created organization is visible on the REST route
        given().header("Authorization", TestTokens.bearer(user)).get("/api/organizations")
                .then().statusCode(200).body("name", hasItem(name));
    }

    @Test
    void cloudEventWithBadDataGetsTheSameError() {
        given().header("Authorization", TestTokens.bearer(user))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "io.nexodus.organization.create").header("ce-source", "/tests")
                .contentType(ContentType.JSON).body("{\"description\":\"nameless\"}")
                .when().post("/")
                .then().statusCode(400).body("field", equalTo("name"));
    }
}
