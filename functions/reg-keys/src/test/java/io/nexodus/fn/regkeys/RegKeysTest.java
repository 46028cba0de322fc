package io.nexodus.fn.regkeys;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Registration keys over REST, and registration keys as bearer tokens, against a real PostgreSQL. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RegKeysTest {

    @Inject
    Pool db;


    /** Provisions the user; their id is also the id of their default VPC. */
    private String vpcOf(String user) {
        return TestUsers.provision(db, user, "/api/reg-keys");
    }

    private String createKey(String user, String vpc, String extra) {
        return given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"laptops\"" + extra + "}")
                .post("/api/reg-keys")
                .then().statusCode(201)
                .body("bearer_token", startsWith("RK:")).body("vpc_id", equalTo(vpc)).body("description", equalTo("laptops"))
                .extract().asString();
    }

    @Test
    void theKeysCreatorReadsItsTokenAgainNobodyElseAndItIsStoredOnlyEncrypted() {
        String user = TestUsers.unique("alice");
        String vpc = vpcOf(user);
        String created = createKey(user, vpc, ",\"single_use\":true,\"settings\":{\"mtu\":1420}");
        String id = io.restassured.path.json.JsonPath.from(created).getString("id");
        String token = io.restassured.path.json.JsonPath.from(created).getString("bearer_token");
        assertEquals(UUID.fromString(io.restassured.path.json.JsonPath.from(created).getString("device_id")).version(), 4);

        // its creator reads it again (the web console shows it, and the nexd command line, after creating a key)
        given().header("Authorization", TestTokens.bearer(user)).get("/api/reg-keys/" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("bearer_token", equalTo(token))
                .body("settings.mtu", equalTo(1420)).body("device_id", notNullValue());
        // not in a list, not to the key itself
        given().header("Authorization", TestTokens.bearer(user)).get("/api/reg-keys")
                .then().statusCode(200).body("id", hasItem(id)).body("bearer_token", org.hamcrest.Matchers.everyItem(nullValue()));
        given().header("Authorization", "Bearer " + token).get("/api/reg-keys/me").then().statusCode(200)
                .body("bearer_token", nullValue());
        // stored hashed and encrypted, never as itself, in any column
        long plaintext = db.preparedQuery("SELECT count(*) FROM reg_keys WHERE position($1::bytea in token_hash) > 0"
                        + " OR position($1::bytea in coalesce(token_ciphertext, ''::bytea)) > 0")
                .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(token.getBytes()))).await().indefinitely()
                .iterator().next().getLong(0);
        assertEquals(0, plaintext, "the token itself is not stored");
        assertEquals(1, db.preparedQuery("SELECT count(*) FROM reg_keys WHERE id = $1 AND token_ciphertext IS NOT NULL")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next().getLong(0));
    }

    @Test
    void aRegistrationKeyIsABearerTokenForWhatNexdCalls() {
        String user = TestUsers.unique("bob");
        String vpc = vpcOf(user);
        String token = io.restassured.path.json.JsonPath.from(createKey(user, vpc, "")).getString("bearer_token");
        String id = given().header("Authorization", "Bearer " + token).get("/api/reg-keys/me")
                .then().statusCode(200).body("vpc_id", equalTo(vpc)).body("owner_id", equalTo(vpc))
                .extract().path("id");
        // as in Nexodus's policy, a key reads only itself, as `me`
        given().header("Authorization", "Bearer " + token).get("/api/reg-keys/" + id)
                .then().statusCode(403);
        // the rego scope: a key may not manage keys or users
        given().header("Authorization", "Bearer " + token).get("/api/reg-keys")
                .then().statusCode(403).body("error", equalTo("forbidden"));
        given().header("Authorization", "Bearer " + token).delete("/api/reg-keys/" + id).then().statusCode(403);
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body("{}")
                .post("/list-reg-keys").then().statusCode(403);
        given().header("Authorization", "Bearer RK:" + "A".repeat(43) + "=").get("/api/reg-keys/me")
                .then().statusCode(401).body("reason", equalTo("invalid reg key"));

        // deleting the key revokes it at once
        given().header("Authorization", TestTokens.bearer(user)).delete("/api/reg-keys/" + id)
                .then().statusCode(200).body("id", equalTo(id));
        given().header("Authorization", "Bearer " + token).get("/api/reg-keys/me").then().statusCode(401);
        given().header("Authorization", TestTokens.bearer(user)).get("/api/reg-keys/" + id).then().statusCode(404);
    }

    @Test
    void anExpiredKeyIsRefused() {
        String user = TestUsers.unique("carol");
        String vpc = vpcOf(user);
        String created = createKey(user, vpc, ",\"expires_at\":\"2999-01-01T00:00:00Z\"");
        String id = io.restassured.path.json.JsonPath.from(created).getString("id");
        String token = io.restassured.path.json.JsonPath.from(created).getString("bearer_token");
        given().header("Authorization", "Bearer " + token).get("/api/reg-keys/me").then().statusCode(200);
        db.preparedQuery("UPDATE reg_keys SET expires_at = now() - interval '1 second' WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely();
        given().header("Authorization", "Bearer " + token).get("/api/reg-keys/me")
                .then().statusCode(401).body("reason", equalTo("reg key expired"));
        // the owner clears the expiry with Go's zero time, and the key works again
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"expires_at\":\"0001-01-01T00:00:00Z\",\"description\":\"renewed\"}")
                .patch("/api/reg-keys/" + id)
                .then().statusCode(200).body("expires_at", nullValue()).body("description", equalTo("renewed"));
        given().header("Authorization", "Bearer " + token).get("/api/reg-keys/me").then().statusCode(200);
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"expires_at\":\"2001-01-01T00:00:00Z\"}").post("/api/reg-keys")
                .then().statusCode(400).body("field", equalTo("expires_at"));
    }

    @Test
    void anotherTenantCannotSeeOrUseAnothersVpcOrKeys() {
        String owner = TestUsers.unique("dave");
        String stranger = TestUsers.unique("eve");
        String vpc = vpcOf(owner);
        vpcOf(stranger);
        String id = io.restassured.path.json.JsonPath.from(createKey(owner, vpc, "")).getString("id");
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/reg-keys/" + id).then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/reg-keys").then().statusCode(200)
                .body("id", not(hasItem(id)));
        given().header("Authorization", TestTokens.bearer(stranger)).contentType(ContentType.JSON)
                .body("{\"description\":\"mine now\"}").patch("/api/reg-keys/" + id).then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(stranger)).delete("/api/reg-keys/" + id).then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(stranger)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\"}").post("/api/reg-keys")
                .then().statusCode(404).body("resource", equalTo("vpc"));
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/reg-keys/" + id)
                .then().statusCode(200).body("description", equalTo("laptops"));
    }

    @Test
    void badInputNamesTheField() {
        String user = TestUsers.unique("frank");
        String vpc = vpcOf(user);
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body("{}")
                .post("/api/reg-keys").then().statusCode(400).body("field", equalTo("vpc_id"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"nope\"}").post("/api/reg-keys").then().statusCode(400).body("field", equalTo("vpc_id"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"single_use\":\"maybe\"}").post("/api/reg-keys")
                .then().statusCode(400).body("field", equalTo("single_use"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"security_group_id\":\"" + UUID.randomUUID() + "\"}")
                .post("/api/reg-keys").then().statusCode(404).body("resource", equalTo("security_group_id"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"security_group_id\":\"" + vpc + "\"}")
                .post("/api/reg-keys").then().statusCode(201).body("security_group_id", equalTo(vpc));
    }
}
