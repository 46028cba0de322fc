package io.nexodus.fn.joinorganization;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Invitations over their Nexodus REST routes against a real PostgreSQL. Owners invite into their
 * personal organization (id = their user id), which every user has from first contact.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class InvitationsTest {

    @Inject
    Pool db;



    /** Provisions the user (any request does) and returns their id = their personal organization's id. */
    private String userId(String user) {
        return TestUsers.provision(db, user, "/api/invitations");
    }

    private static ValidatableResponse invite(String owner, String body) {
        return given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON).body(body)
                .post("/api/invitations").then();
    }

    private static String inviteById(String owner, String organization, String userId) {
        return invite(owner, "{\"organization_id\":\"" + organization + "\",\"user_id\":\"" + userId + "\"}")
                .statusCode(201).extract().path("id");
    }

    private static ValidatableResponse accept(String user, String invitation) {
        return given().header("Authorization", TestTokens.bearer(user)).post("/api/invitations/" + invitation + "/accept")
                .then();
    }

    private boolean isMember(String userId, String organization) {
        return TestDb.count(db, "SELECT count(*) FROM user_organizations WHERE user_id = $1 AND organization_id = $2",
                UUID.fromString(userId), UUID.fromString(organization)) == 1;
    }

    /** The statuses of four simultaneous calls. */
    private static List<Integer> fourAtOnce(Callable<Integer> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(java.util.Collections.nCopies(4, call))) {
                statuses.add(f.get());
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theInviteeAcceptsAndBecomesAMember() {
        String owner = TestUsers.unique("alice");
        String invitee = TestUsers.unique("bob");
        String org = userId(owner);
        String bob = userId(invitee);

        String id = invite(owner, "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + bob + "\"}")
                .statusCode(201)
                .body("user_id", equalTo(bob)).body("organization_id", equalTo(org))
                .body("roles", contains("member")).body("expires_at", notNullValue())
                .body("organization.name", equalTo(owner)).body("from.username", equalTo(owner))
                .body("email", nullValue())
                .extract().path("id");
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM invitations WHERE id = $1 AND expires_at BETWEEN"
                + " now() + interval '7 days' - interval '1 minute' AND now() + interval '7 days'", UUID.fromString(id)));

        // both the invitee and the owner see it, with the organization and the inviter embedded
        for (String viewer : List.of(owner, invitee)) {
            given().header("Authorization", TestTokens.bearer(viewer)).get("/api/invitations")
                    .then().statusCode(200).header("X-Total-Count", "1")
                    .body("id", contains(id)).body("[0].from.id", equalTo(org))
                    .body("[0].organization.id", equalTo(org));
            given().header("Authorization", TestTokens.bearer(viewer)).get("/api/invitations/" + id)
                    .then().statusCode(200).body("id", equalTo(id));
        }

        accept(invitee, id).statusCode(204);
        assertEquals(true, isMember(bob, org));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM user_organizations WHERE user_id = $1 AND organization_id = $2"
                + " AND roles = ARRAY['member']", UUID.fromString(bob), UUID.fromString(org)));
        // the invitation is used up
        given().header("Authorization", TestTokens.bearer(invitee)).get("/api/invitations/" + id).then().statusCode(404);
        accept(invitee, id).statusCode(404);
    }

    @Test
    void anOwnerInvitationGrantsTheOwnerRole() {
        String owner = TestUsers.unique("olga");
        String org = userId(owner);
        String invitee = TestUsers.unique("oscar");
        String id = invite(owner, "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + userId(invitee)
                + "\",\"roles\":[\"owner\",\"owner\"]}").statusCode(201).body("roles", contains("owner")).extract().path("id");
        accept(invitee, id).statusCode(204);
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM user_organizations WHERE organization_id = $1 AND roles = ARRAY['owner']",
                UUID.fromString(org)) - 1);
    }

    @Test
    void anEmailInvitationWaitsForTheUserWithThatVerifiedAddress() {
        String owner = TestUsers.unique("carol");
        String org = userId(owner);
        String name = TestUsers.unique("dan");
        String email = name + "@example.com";
        // nobody has the address yet: user_id stays empty; the address is stored normalized
        String id = invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"  " + email.toUpperCase() + " \"}")
                .statusCode(201).body("email", equalTo(email)).body("user_id", nullValue()).extract().path("id");
        // a second invitation to the same address is a conflict naming the first
        invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"" + email + "\"}")
                .statusCode(409).body("error", equalTo("resource already exists")).body("id", equalTo(id));

        // an unverified address does not see it
        String unverified = "Bearer " + TestTokens.token(UUID.randomUUID().toString(), TestUsers.unique("mallory"),
                Map.of("email", email, "email_verified", false));
        given().header("Authorization", unverified).get("/api/invitations").then().statusCode(200).body("id", empty());
        given().header("Authorization", unverified).post("/api/invitations/" + id + "/accept").then().statusCode(404);

        // dan signs up with the verified address: the invitation is his
        String dan = "Bearer " + TestTokens.token(UUID.randomUUID().toString(), name,
                Map.of("email", email, "email_verified", true));
        String danId = given().header("Authorization", dan).get("/api/invitations").then().statusCode(200)
                .body("id", contains(id)).extract().path("[0].user_id");
        given().header("Authorization", dan).post("/api/invitations/" + id + "/accept").then().statusCode(204);
        assertEquals(true, isMember(danId, org));

        // an address that already belongs to a user resolves to that user at once
        String erin = TestUsers.unique("erin");
        invite(erin, "{\"organization_id\":\"" + userId(erin) + "\",\"email\":\"" + email + "\"}")
                .statusCode(201).body("user_id", equalTo(danId)).body("email", equalTo(email));
    }

    /**
     * A user who signed up before their provider verified the address gets the invitation sent to it once a token
     * says it is verified: the sign-in of a known user attaches a newly verified address (UserProvisioner's fast path
     * falls through to the refresh when the address is not yet one of the user's identities).
     */
    @Test
    void anEmailInvitationFindsAKnownUserWhoseAddressIsVerifiedLater() {
        String owner = TestUsers.unique("gina");
        String org = userId(owner);
        String name = TestUsers.unique("hank");
        String email = name + "@example.com";
        String subject = UUID.randomUUID().toString();
        String before = "Bearer " + TestTokens.token(subject, name, Map.of("email", email, "email_verified", false));
        given().header("Authorization", before).get("/api/invitations").then().statusCode(200).body("id", empty());
        String id = invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"" + email + "\"}")
                .statusCode(201).body("user_id", nullValue()).extract().path("id");

        String verified = "Bearer " + TestTokens.token(subject, name, Map.of("email", email, "email_verified", true));
        given().header("Authorization", verified).get("/api/invitations").then().statusCode(200).body("id", contains(id));
        given().header("Authorization", verified).post("/api/invitations/" + id + "/accept").then().statusCode(204);
    }

    @Test
    void anExpiredInvitationIsRefusedAndNoLongerBlocksANewOne() {
        String owner = TestUsers.unique("frank");
        String invitee = TestUsers.unique("gina");
        String org = userId(owner);
        String ginaId = userId(invitee);
        String id = inviteById(owner, org, ginaId);
        db.preparedQuery("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely();

        accept(invitee, id).statusCode(400).body("error", equalTo("operation not allowed"))
                .body("reason", equalTo("invitation expired"));
        assertEquals(false, isMember(ginaId, org));
        // it is not a duplicate any more: a fresh invitation can be sent and accepted
        String fresh = inviteById(owner, org, ginaId);
        accept(invitee, fresh).statusCode(204);
        assertEquals(true, isMember(ginaId, org));
    }

    @Test
    void someoneElsesInvitationIsRefused() {
        String owner = TestUsers.unique("hank");
        String invitee = TestUsers.unique("iris");
        String stranger = TestUsers.unique("jack");
        String org = userId(owner);
        String id = inviteById(owner, org, userId(invitee));
        String strangerId = userId(stranger);

        // a stranger cannot see, accept or delete it
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/invitations/" + id).then()
                .statusCode(404).body("resource", equalTo("invitation"));
        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/invitations").then()
                .statusCode(200).body("id", not(hasItem(id)));
        accept(stranger, id).statusCode(404);
        given().header("Authorization", TestTokens.bearer(stranger)).delete("/api/invitations/" + id).then().statusCode(404);
        // the owner sees it but cannot accept it in the invitee's place
        accept(owner, id).statusCode(403).body("error", equalTo("forbidden"));
        assertEquals(false, isMember(strangerId, org));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM user_organizations WHERE organization_id = $1", UUID.fromString(org)));
        // still pending for the invitee
        accept(invitee, id).statusCode(204);
    }

    @Test
    void concurrentAcceptsMakeOneMembership() throws Exception {
        String owner = TestUsers.unique("kate");
        String invitee = TestUsers.unique("leo");
        String org = userId(owner);
        String leo = userId(invitee);
        String id = inviteById(owner, org, leo);
        List<Integer> statuses = fourAtOnce(() -> given().header("Authorization", TestTokens.bearer(invitee))
                .post("/api/invitations/" + id + "/accept").statusCode());
        assertEquals(1, statuses.stream().filter(s -> s == 204).count(), "statuses " + statuses);
        assertEquals(3, statuses.stream().filter(s -> s == 404).count(), "statuses " + statuses);
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM user_organizations WHERE user_id = $1 AND organization_id = $2",
                UUID.fromString(leo), UUID.fromString(org)));
    }

    @Test
    void concurrentInvitationsOfOneUserMakeOne() throws Exception {
        String owner = TestUsers.unique("lena");
        String org = userId(owner);
        String body = "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + userId(TestUsers.unique("lou")) + "\"}";
        List<Integer> statuses = fourAtOnce(() -> given().header("Authorization", TestTokens.bearer(owner))
                .contentType(ContentType.JSON).body(body).post("/api/invitations").statusCode());
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), "statuses " + statuses);
        assertEquals(3, statuses.stream().filter(s -> s == 409).count(), "statuses " + statuses);
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM invitations WHERE organization_id = $1", UUID.fromString(org)));
    }

    @Test
    void declineAndWithdraw() {
        String owner = TestUsers.unique("mia");
        String invitee = TestUsers.unique("ned");
        String org = userId(owner);
        String ned = userId(invitee);
        String declined = inviteById(owner, org, ned);
        given().header("Authorization", TestTokens.bearer(invitee)).delete("/api/invitations/" + declined)
                .then().statusCode(204);
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/invitations/" + declined).then().statusCode(404);
        String withdrawn = inviteById(owner, org, ned);
        given().header("Authorization", TestTokens.bearer(owner)).delete("/api/invitations/" + withdrawn)
                .then().statusCode(204);
        accept(invitee, withdrawn).statusCode(404);
        assertEquals(false, isMember(ned, org));
    }

    @Test
    void anOrganizationHoldsAtMost100PendingInvitations() {
        String owner = TestUsers.unique("quota");
        String org = userId(owner);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add(invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"guest" + i + "@quota.example\"}")
                    .statusCode(201).extract().path("id"));
        }
        invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"one-more@quota.example\"}")
                .statusCode(429).body("error", equalTo("too many requests")).body("field", equalTo("organization_id"));
        assertEquals(100, TestDb.count(db, "SELECT count(*) FROM invitations WHERE organization_id = $1",
                UUID.fromString(org)), "the refused one was not stored");
        // a withdrawn invitation frees its place
        given().header("Authorization", TestTokens.bearer(owner)).delete("/api/invitations/" + sent.get(0))
                .then().statusCode(204);
        invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"one-more@quota.example\"}").statusCode(201);
    }

    @Test
    void onlyOwnersInviteAndNothingChangesOtherwise() {
        String owner = TestUsers.unique("pat");
        String member = TestUsers.unique("quinn");
        String stranger = TestUsers.unique("rita");
        String org = userId(owner);
        String memberId = userId(member);
        String target = userId(TestUsers.unique("sam"));
        db.preparedQuery("INSERT INTO user_organizations (user_id, organization_id, roles) VALUES ($1, $2, ARRAY['member'])")
                .execute(Tuple.of(UUID.fromString(memberId), UUID.fromString(org))).await().indefinitely();
        String body = "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + target + "\"}";

        invite(member, body).statusCode(403).body("error", equalTo("forbidden"));
        invite(stranger, body).statusCode(404).body("resource", equalTo("organization"));
        // a member does not see the owner's invitations either
        String id = inviteById(owner, org, target);
        given().header("Authorization", TestTokens.bearer(member)).get("/api/invitations/" + id).then().statusCode(404);
        given().header("Authorization", TestTokens.bearer(member)).delete("/api/invitations/" + id).then().statusCode(404);
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM invitations WHERE organization_id = $1", UUID.fromString(org)));
        // inviting a member is refused
        invite(owner, "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + memberId + "\"}")
                .statusCode(400).body("field", equalTo("user_id"));
    }

    @Test
    void badInputIsA400NamingTheField() {
        String owner = TestUsers.unique("tom");
        String org = userId(owner);
        invite(owner, "{\"user_id\":\"" + org + "\"}").statusCode(400).body("field", equalTo("organization_id"));
        invite(owner, "{\"organization_id\":\"" + org + "\"}").statusCode(400)
                .body("error", equalTo("field not present")).body("field", equalTo("user_id"));
        invite(owner, "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + org + "\",\"email\":\"a@b.c\"}")
                .statusCode(400).body("field", equalTo("email"));
        invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"not-an-address\"}")
                .statusCode(400).body("field", equalTo("email"));
        invite(owner, "{\"organization_id\":\"" + org + "\",\"user_id\":\"nope\"}").statusCode(400)
                .body("field", equalTo("user_id"));
        invite(owner, "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + UUID.randomUUID() + "\"}")
                .statusCode(404).body("resource", equalTo("user"));
        invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"x@y.z\",\"roles\":[\"admin\"]}")
                .statusCode(400).body("field", equalTo("roles"));
        invite(owner, "{\"organization_id\":\"" + org + "\",\"email\":\"x@y.z\",\"colour\":\"red\"}")
                .statusCode(400).body("field", equalTo("colour"));
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/invitations/not-a-uuid")
                .then().statusCode(400).body("error", equalTo("path parameter invalid")).body("field", equalTo("id"));
        given().header("Authorization", TestTokens.bearer(owner)).post("/api/invitations/not-a-uuid/accept")
                .then().statusCode(400).body("field", equalTo("id"));
        // this test's own organization only: other tests of the class share the table
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM invitations WHERE organization_id = $1", UUID.fromString(org)),
                "nothing stored for bad input");
    }

    @Test
    void theSameOperationsThroughFunqyAndCloudEvents() {
        String owner = TestUsers.unique("uma");
        String invitee = TestUsers.unique("vic");
        String org = userId(owner);
        String vic = userId(invitee);
        String id = given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON)
                .body("{\"organization_id\":\"" + org + "\",\"user_id\":\"" + vic + "\"}")
                .post("/create-invitation").then().statusCode(200).body("user_id", equalTo(vic)).extract().path("id");
        given().header("Authorization", TestTokens.bearer(invitee)).contentType(ContentType.JSON).body("{}")
                .post("/list-invitations").then().statusCode(200).body("id", contains(id));
        given().header("Authorization", TestTokens.bearer(invitee)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\"}").post("/get-invitation").then().statusCode(200).body("id", equalTo(id));
        // accept as a binary-mode CloudEvent: the answer is the membership, typed member.joined
        given().header("Authorization", TestTokens.bearer(invitee))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "io.nexodus.invitation.accept").header("ce-source", "/tests")
                .contentType(ContentType.JSON).body("{\"id\":\"" + id + "\"}")
                .post("/").then().statusCode(200)
                .header("ce-type", "io.nexodus.organization.member.joined")
                .body("user_id", equalTo(vic)).body("organization_id", equalTo(org)).body("roles", contains("member"));
        // a structured-mode CloudEvent creates, a Funqy call declines
        String event = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/tests\","
                + "\"type\":\"io.nexodus.invitation.create\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"organization_id\":\"" + org + "\",\"email\":\"someone@example.com\"}}";
        String second = given().header("Authorization", TestTokens.bearer(owner))
                .contentType("application/cloudevents+json").body(event).post("/").then().statusCode(200)
                .body("type", equalTo("io.nexodus.invitation.created")).extract().path("data.id");
        given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + second + "\"}").post("/delete-invitation").then().statusCode(200)
                .body("id", equalTo(second));
        // errors are the same JSON as on the REST routes
        given().header("Authorization", TestTokens.bearer(invitee)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + id + "\"}").post("/accept-invitation").then().statusCode(404)
                .body("resource", equalTo("invitation"));
    }
}
