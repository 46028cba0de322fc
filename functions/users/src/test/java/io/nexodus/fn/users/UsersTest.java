package io.nexodus.fn.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.shared.identity.DevTokenIssuer;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The users function and the identity layer it stands on, against a real PostgreSQL. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class UsersTest {

    @Inject
    Pool db;



    /**
     * A user is (issuer, subject): the same subject from a second trusted issuer is another person with an
     * account of their own, never the first's (the account-takeover class of Headscale 0.24).
     */
    @Test
    void theSameSubjectFromTwoIssuersIsTwoUsers() {
        String subject = UUID.randomUUID().toString();
        String first = TestTokens.issuer().token(subject, "first", 3600, Map.of());
        String second = TestTokens.otherIssuer().token(subject, "second", 3600, Map.of());
        String firstId = given().header("Authorization", "Bearer " + first).get("/api/users/me")
                .then().statusCode(200).body("username", equalTo("first")).extract().path("id");
        String secondId = given().header("Authorization", "Bearer " + second).get("/api/users/me")
                .then().statusCode(200).body("username", equalTo("second")).extract().path("id");
        org.junit.jupiter.api.Assertions.assertNotEquals(firstId, secondId, "two issuers' equal subjects are two users");
        // the second cannot see or touch the first's tenant
        given().header("Authorization", "Bearer " + second).get("/api/organizations/" + firstId).then().statusCode(404);
        given().header("Authorization", "Bearer " + second).get("/api/users/" + firstId).then().statusCode(404);
        // and each keeps reaching their own account
        given().header("Authorization", "Bearer " + first).get("/api/users/me").then().body("id", equalTo(firstId));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM user_identities WHERE user_id = $1 AND kind = $2"
                + " AND value = $3", UUID.fromString(secondId), "oidc:" + TestTokens.OTHER_ISSUER, subject));
    }

    /** A user created before V5 (no issuer) is adopted by the primary issuer, never by another one. */
    @Test
    void aUserFromBeforeIssuersIsAdoptedByThePrimaryIssuerOnly() {
        String subject = UUID.randomUUID().toString();
        String id = given().header("Authorization", "Bearer " + TestTokens.issuer().token(subject, "legacy", 3600,
                Map.of())).get("/api/users/me").then().statusCode(200).extract().path("id");
        db.preparedQuery("UPDATE users SET idp_issuer = NULL WHERE id = $1").execute(Tuple.of(UUID.fromString(id)))
                .await().indefinitely();
        String other = given().header("Authorization", "Bearer " + TestTokens.otherIssuer().token(subject, "intruder",
                3600, Map.of())).get("/api/users/me").then().statusCode(200).extract().path("id");
        org.junit.jupiter.api.Assertions.assertNotEquals(id, other, "another issuer does not adopt the legacy user");
        given().header("Authorization", "Bearer " + TestTokens.issuer().token(subject, "legacy", 3600, Map.of()))
                .get("/api/users/me").then().statusCode(200).body("id", equalTo(id));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM users WHERE id = $1 AND idp_issuer = $2",
                UUID.fromString(id), TestTokens.ISSUER));
    }

    @Test
    void meIsCreatedFromTheTokenClaims() {
        String subject = UUID.randomUUID().toString();
        String token = TestTokens.token(subject, "judy", Map.of("given_name", "Judy", "family_name", "Hopps",
                "picture", "https://pics.example/judy.png", "email", "Judy@Example.org", "email_verified", true));
        String id = given().header("Authorization", "Bearer " + token).get("/api/users/me")
                .then().statusCode(200)
                .body("username", equalTo("judy")).body("full_name", equalTo("Judy Hopps"))
                .body("picture", equalTo("https://pics.example/judy.png"))
                .extract().path("id");
        given().header("Authorization", "Bearer " + token).get("/api/users/" + id)
                .then().statusCode(200).body("id", equalTo(id));
        given().header("Authorization", "Bearer " + token).get("/api/users")
                .then().statusCode(200).header("X-Total-Count", "1").body("id", contains(id));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM user_identities WHERE user_id = $1 AND kind = 'email'"
                + " AND value = 'judy@example.org'", UUID.fromString(id)));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM user_identities WHERE user_id = $1 AND kind = 'keycloak:id'"
                + " AND value = $2", UUID.fromString(id), subject));

        // a changed profile claim updates the user on the next request
        String renamed = TestTokens.token(subject, "judy2", Map.of());
        given().header("Authorization", "Bearer " + renamed).get("/api/users/me")
                .then().statusCode(200).body("id", equalTo(id)).body("username", equalTo("judy2"));
    }

    @Test
    void concurrentFirstRequestsCreateExactlyOneUser() throws Exception {
        String subject = UUID.randomUUID().toString();
        String token = TestTokens.token(subject, TestUsers.unique("racer"), Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(() -> given().header("Authorization", "Bearer " + token).get("/api/users/me")
                        .then().statusCode(200).extract().path("id"));
            }
            Set<String> ids = new HashSet<>();
            for (Future<String> f : pool.invokeAll(calls)) {
                ids.add(f.get());
            }
            assertEquals(1, ids.size(), "every concurrent first request sees the same user");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM users WHERE idp_id = $1", subject));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM organizations o JOIN users u ON u.id = o.id WHERE u.idp_id = $1", subject));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM vpcs v JOIN users u ON u.id = v.id WHERE u.idp_id = $1", subject));
    }

    @Test
    void requestsWithoutAValidTokenAre401WithAJsonBody() {
        given().get("/api/users/me")
                .then().statusCode(401).contentType(ContentType.JSON).body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer not-a-jwt").get("/api/users/me")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        DevTokenIssuer stranger = DevTokenIssuer.create("https://elsewhere.example/realms/nexodus");
        given().header("Authorization", "Bearer " + stranger.token("mallory")).get("/api/users/me")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        // right key, wrong issuer
        String wrongIssuer = TestTokens.token(UUID.randomUUID().toString(), "oscar", Map.of("iss", "https://other"));
        given().header("Authorization", "Bearer " + wrongIssuer).get("/api/users/me").then().statusCode(401);
        // expired
        String expired = TestTokens.token(UUID.randomUUID().toString(), "peggy",
                Map.of("exp", System.currentTimeMillis() / 1000 - 600));
        given().header("Authorization", "Bearer " + expired).get("/api/users/me").then().statusCode(401)
                .body("reason", equalTo("token expired"));
        // an expired token of an issuer nobody trusts is not "expired": it is invalid
        String strangerExpired = DevTokenIssuer.create("https://elsewhere.example/realms/nexodus").token(
                UUID.randomUUID().toString(), "trent", 60, Map.of("exp", System.currentTimeMillis() / 1000 - 600));
        given().header("Authorization", "Bearer " + strangerExpired).get("/api/users/me").then().statusCode(401)
                .body("reason", equalTo("invalid token"));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM users WHERE user_name IN ('mallory', 'oscar', 'peggy')"));
    }

    @Test
    void aTokenWithoutASubjectIsRefusedNotSharedOrAFailure() {
        // an empty sub would make every such token of the issuer one account; a missing one was a 500
        Map<String, Object> noSubject = new HashMap<>();
        noSubject.put("sub", null);
        for (String token : List.of(TestTokens.token("", "nobody-empty", Map.of()),
                TestTokens.token("  ", "nobody-blank", Map.of()), TestTokens.token("x", "nobody-missing", noSubject))) {
            given().header("Authorization", "Bearer " + token).get("/api/users/me")
                    .then().statusCode(401).contentType(ContentType.JSON).body("error", equalTo("unauthorized"))
                    .body("reason", containsString("sub"));
        }
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM users WHERE user_name LIKE 'nobody-%'"));
    }

    @Test
    void anotherUsersIdIsNotFound() {
        String other = given().header("Authorization", TestTokens.bearer(TestUsers.unique("trent"))).get("/api/users/me")
                .then().extract().path("id");
        given().header("Authorization", TestTokens.bearer(TestUsers.unique("victor"))).get("/api/users/" + other)
                .then().statusCode(404).body("resource", equalTo("user"));
        given().header("Authorization", TestTokens.bearer(TestUsers.unique("victor"))).delete("/api/users/" + other)
                .then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(TestUsers.unique("victor"))).get("/api/users/bogus")
                .then().statusCode(400).body("field", equalTo("id"));
    }

    @Test
    void deletingMyselfCascadesAndAFreshSignUpStartsOver() {
        String name = TestUsers.unique("walter");
        String subject = UUID.randomUUID().toString();
        String token = TestTokens.token(subject, name, Map.of());
        String id = given().header("Authorization", "Bearer " + token).get("/api/users/me")
                .then().extract().path("id");
        given().header("Authorization", "Bearer " + token).delete("/api/users/me")
                .then().statusCode(200).body("id", equalTo(id));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM organizations WHERE id = $1 AND deleted_at IS NULL", UUID.fromString(id)));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM vpcs WHERE id = $1 AND deleted_at IS NULL", UUID.fromString(id)));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM user_identities WHERE user_id = $1", UUID.fromString(id)));
        String again = given().header("Authorization", "Bearer " + token).get("/api/users/me")
                .then().statusCode(200).body("username", equalTo(name)).extract().path("id");
        org.junit.jupiter.api.Assertions.assertNotEquals(id, again, "a deleted user signs up as a new user");
    }

    @Test
    void userOwningDevicesCannotBeDeleted() {
        String token = TestTokens.bearer(TestUsers.unique("xena"));
        UUID id = UUID.fromString(given().header("Authorization", token).get("/api/users/me").then().extract().path("id"));
        db.preparedQuery("INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, token_hash)"
                        + " VALUES ($1, $2, $2, $2, $3, $4)")
                .execute(Tuple.of(UUID.randomUUID(), id, "key-" + id, new byte[] {1, 2, 3}))
                .await().indefinitely();
        given().header("Authorization", token).delete("/api/users/me")
                .then().statusCode(400).body("error", equalTo("operation not allowed"));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM users WHERE id = $1 AND deleted_at IS NULL", id));
    }

    @Test
    void leavingAnOrganizationAndOwnerRemovingAMember() {
        String ownerToken = TestTokens.bearer(TestUsers.unique("yves"));
        String memberToken = TestTokens.bearer(TestUsers.unique("zoe"));
        String outsiderToken = TestTokens.bearer(TestUsers.unique("amy"));
        // users is its own function (organizations are another): the team is written directly here
        UUID ownerId = UUID.fromString(given().header("Authorization", ownerToken).get("/api/users/me").then().extract().path("id"));
        UUID memberId = UUID.fromString(given().header("Authorization", memberToken).get("/api/users/me").then().extract().path("id"));
        given().header("Authorization", outsiderToken).get("/api/users/me").then().statusCode(200);
        UUID orgId = UUID.randomUUID();
        db.preparedQuery("INSERT INTO organizations (id, name) VALUES ($1, $2)").execute(Tuple.of(orgId, TestUsers.unique("team")))
                .await().indefinitely();
        db.preparedQuery("INSERT INTO user_organizations (user_id, organization_id, roles) VALUES ($1, $3, ARRAY['owner']),"
                        + " ($2, $3, ARRAY['member'])").execute(Tuple.of(ownerId, memberId, orgId)).await().indefinitely();

        // an outsider cannot remove anyone (Nexodus had no check here)
        given().header("Authorization", outsiderToken).delete("/api/users/" + memberId + "/organizations/" + orgId)
                .then().statusCode(404);
        // a member cannot remove the owner
        given().header("Authorization", memberToken).delete("/api/users/" + ownerId + "/organizations/" + orgId)
                .then().statusCode(403);
        // the last owner cannot leave
        given().header("Authorization", ownerToken).delete("/api/users/me/organizations/" + orgId)
                .then().statusCode(400).body("reason", equalTo("the last owner cannot leave the organization"));
        // the member leaves
        given().header("Authorization", memberToken).delete("/api/users/me/organizations/" + orgId)
                .then().statusCode(200).body("id", equalTo(memberId.toString()));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM user_organizations WHERE user_id = $1 AND organization_id = $2",
                memberId, orgId));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM user_organizations WHERE user_id = $1 AND organization_id = $2",
                ownerId, orgId));
    }
}
