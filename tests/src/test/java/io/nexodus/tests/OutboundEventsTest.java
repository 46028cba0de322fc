package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.CloudEvent;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Outbound events, the audit trail and inbound idempotency (docs/events.md), on the real stack with a real sink
 * ({@link EventSink}) that reads what arrives with the CloudEvents SDK: a change made over REST, Funqy or
 * a CloudEvent is published once with the right attributes and no secret; a change that rolls back is not;
 * what could not be sent while the sink was down arrives once it is back, in order per resource; an event
 * delivered twice has one effect and one answer; only an organization's owners read its trail.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = EventSink.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OutboundEventsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Inject
    Pool db;

    @Inject
    Outbox outbox;

    private static RequestSpecification as(String bearer) {
        return given().header("Authorization", bearer).contentType(ContentType.JSON);
    }

    private static RequestSpecification event(String bearer, String type, String id) {
        return given().header("ce-authorization", bearer).contentType(ContentType.JSON)
                .header("ce-id", id).header("ce-specversion", "1.0")
                .header("ce-source", "/tests/outbound").header("ce-type", type);
    }

    private static List<CloudEvent> about(String subject, String type, int count) {
        return EventSink.await(e -> subject.equals(e.getSubject()) && type.equals(e.getType()), count, PATIENCE);
    }

    private static String data(CloudEvent event) {
        return new String(event.getData().toBytes(), StandardCharsets.UTF_8);
    }

    private static String description(CloudEvent event) {
        return new io.vertx.core.json.JsonObject(data(event)).getString("description");
    }

    @Test
    void aChangeOverEachBindingIsPublishedOnceWithItsAttributesAndNoSecret() {
        String user = Nexd.user("ev-bindings");
        String bearer = TestTokens.bearer(user);
        String org = Nexd.defaultVpc(user);

        // REST
        String vpc = as(bearer).body("{\"organization_id\":\"" + org + "\",\"description\":\"one\"}").post("/api/vpcs")
                .then().statusCode(201).extract().path("id");
        CloudEvent created = about(vpc, "io.nexodus.vpc.created", 1).get(0);
        assertEquals("/nexodus/vpcs", created.getSource().toString());
        assertEquals("application/json", created.getDataContentType());
        assertEquals("one", description(created), data(created));
        assertNull(created.getExtension("traceparent"), "no OTLP endpoint here: tracing is off, nothing to continue");
        // the sink has it; the outbox marks it delivered once the sink's answer is back (a moment later)
        Awaitility.await("the event's id is its outbox row's, marked delivered").atMost(PATIENCE)
                .until(() -> TestDb.count(db, "SELECT count(*) FROM events WHERE id = $1 AND delivered_at IS NOT NULL",
                        UUID.fromString(created.getId())) == 1);
        // Funqy HTTP
        as(bearer).body("{\"id\":\"" + vpc + "\",\"description\":\"two\"}").post("/update-vpc").then().statusCode(200);
        assertEquals("two", description(about(vpc, "io.nexodus.vpc.updated", 1).get(0)));
        // CloudEvent
        event(bearer, "io.nexodus.vpc.delete", UUID.randomUUID().toString()).body("{\"id\":\"" + vpc + "\"}").post("/")
                .then().statusCode(200);
        assertEquals(1, about(vpc, "io.nexodus.vpc.deleted", 1).size());

        // resources with credentials: the event carries neither the key's token nor the device's
        Response key = as(bearer).body("{\"vpc_id\":\"" + org + "\"}").post("/api/reg-keys");
        String keyId = key.then().statusCode(201).extract().path("id");
        String token = key.path("bearer_token");
        CloudEvent keyEvent = about(keyId, "io.nexodus.regkey.created", 1).get(0);
        assertFalse(data(keyEvent).contains(token.substring(3)), "no registration key token");
        assertTrue(new io.vertx.core.json.JsonObject(data(keyEvent)).getValue("bearer_token") == null, data(keyEvent));
        String device = new Nexd().register(bearer, org, "").then().statusCode(201).extract().path("id");
        CloudEvent registered = about(device, "io.nexodus.device.registered", 1).get(0);
        assertEquals("/nexodus/register-device", registered.getSource().toString());
        assertFalse(data(registered).contains("bearer_token"), data(registered));
        assertTrue(new io.vertx.core.json.JsonObject(data(registered)).getInteger("revision") > 0, data(registered));
        given().header("Authorization", bearer).delete("/api/devices/" + device).then().statusCode(200);
        assertEquals(1, about(device, "io.nexodus.device.deleted", 1).size());

        // once each, however often the relay ran
        assertEquals(1, EventSink.received(e -> e.getId().equals(created.getId())).size());
    }

    @Test
    void aChangeThatRollsBackHasNoEvent() {
        String user = Nexd.user("ev-rollback");
        String bearer = TestTokens.bearer(user);
        String org = Nexd.defaultVpc(user);
        // the default VPC cannot be deleted: refused inside its transaction
        as(bearer).body("{\"id\":\"" + org + "\"}").post("/delete-vpc").then().statusCode(400);
        // an event recorded, then the transaction fails: neither stays
        UUID subject = UUID.randomUUID();
        try {
            db.withTransaction(tx -> outbox.record(tx, "tests", new Change(EventType.VPC_UPDATED, subject,
                            UUID.fromString(org), Map.of("id", subject.toString())))
                    .flatMap(recorded -> Uni.createFrom().failure(new IllegalStateException("the change fails"))))
                    .await().indefinitely();
        } catch (IllegalStateException expected) {
            // rolled back
        }
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM events WHERE subject = $1 OR (subject = $2"
                + " AND type = 'io.nexodus.vpc.deleted')", subject.toString(), org));
        given().header("Authorization", TestTokens.serviceBearer()).get("/private/gc").then().statusCode(204);
        assertEquals(0, EventSink.received(e -> subject.toString().equals(e.getSubject())
                || org.equals(e.getSubject()) && e.getType().equals("io.nexodus.vpc.deleted")).size());
    }

    @Test
    void whatTheSinkMissedArrivesOnceItIsBackInOrderPerResource() {
        String user = Nexd.user("ev-burst");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        EventSink.down = true;
        List<String> groups = new ArrayList<>();
        try {
            for (int g = 0; g < 3; g++) {
                groups.add(as(bearer).body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"g" + g + "\"}")
                        .post("/api/security-groups").then().statusCode(201).extract().path("id"));
            }
            for (int round = 1; round <= 5; round++) {
                for (String group : groups) {
                    as(bearer).body("{\"description\":\"r" + round + "\"}").patch("/api/security-groups/" + group)
                            .then().statusCode(200);
                }
            }
            assertEquals(0, EventSink.received(e -> groups.contains(e.getSubject())).size(), "the sink was down");
        } finally {
            EventSink.down = false;
        }
        assertEquals(18, TestDb.count(db, "SELECT count(*) FROM events WHERE pending AND subject = ANY ($1)",
                (Object) groups.toArray(String[]::new)), "all kept for later");
        // the schedule's sweep sends what is left (scaled to zero, no replica would)
        given().header("Authorization", TestTokens.serviceBearer()).get("/private/gc").then().statusCode(204);
        for (String group : groups) {
            List<CloudEvent> arrived = EventSink.await(e -> group.equals(e.getSubject()), 6, PATIENCE);
            assertEquals(6, arrived.size(), "each event once");
            assertEquals("io.nexodus.securitygroup.created", arrived.get(0).getType());
            for (int round = 1; round <= 5; round++) {
                assertEquals("r" + round, description(arrived.get(round)), "in the order written");
            }
        }
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM events WHERE pending AND subject = ANY ($1)",
                (Object) groups.toArray(String[]::new)));
    }

    /**
     * An event the sink refuses (4xx) holds its resource's later events back, so they never overtake it, while
     * other resources' events go on; once the sink takes it, all follow in order.
     */
    @Test
    void anEventTheSinkRefusesHoldsBackItsResourcesLaterEventsOnly() {
        String user = Nexd.user("ev-refused");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String held = as(bearer).body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"h0\"}").post("/api/security-groups")
                .then().statusCode(201).extract().path("id");
        String other = as(bearer).body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"o0\"}").post("/api/security-groups")
                .then().statusCode(201).extract().path("id");
        about(held, "io.nexodus.securitygroup.created", 1);
        about(other, "io.nexodus.securitygroup.created", 1);
        EventSink.refuse = event -> held.equals(event.getSubject()) && "h1".equals(description(event));
        try {
            as(bearer).body("{\"description\":\"h1\"}").patch("/api/security-groups/" + held).then().statusCode(200);
            as(bearer).body("{\"description\":\"h2\"}").patch("/api/security-groups/" + held).then().statusCode(200);
            as(bearer).body("{\"description\":\"o1\"}").patch("/api/security-groups/" + other).then().statusCode(200);
            // another resource's event goes on; the held one's later event does not overtake the refused one
            assertEquals("o1", description(about(other, "io.nexodus.securitygroup.updated", 1).get(0)));
            given().header("Authorization", TestTokens.serviceBearer()).get("/private/gc").then().statusCode(204);
            assertEquals(List.of(), EventSink.received(e -> held.equals(e.getSubject())
                    && "io.nexodus.securitygroup.updated".equals(e.getType())), "nothing of the held resource after the refusal");
            assertEquals(2, TestDb.count(db, "SELECT count(*) FROM events WHERE pending AND subject = $1", held));
        } finally {
            EventSink.refuse = event -> false;
        }
        given().header("Authorization", TestTokens.serviceBearer()).get("/private/gc").then().statusCode(204);
        List<CloudEvent> updates = about(held, "io.nexodus.securitygroup.updated", 2);
        assertEquals(List.of("h1", "h2"), updates.stream().map(OutboundEventsTest::description).toList(), "in the order written");
    }

    /**
     * With Eventing's sender authentication and an EventPolicy (deploy/components/event-policy) the Broker takes
     * events only with the OIDC token the SinkBinding mounts: every delivery carries it, a renewed token is used
     * from the next event on, and without one the events wait, as for a sink that is down, and none is lost.
     */
    @Test
    void everyDeliveryCarriesTheSendersIdentityAndARenewedOneIsUsedAtOnce() {
        String user = Nexd.user("ev-identity");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String group = as(bearer).body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"i0\"}").post("/api/security-groups")
                .then().statusCode(201).extract().path("id");
        about(group, "io.nexodus.securitygroup.created", 1);
        int refused = EventSink.UNAUTHENTICATED.get();
        EventSink.renewIdentity();
        as(bearer).body("{\"description\":\"i1\"}").patch("/api/security-groups/" + group).then().statusCode(200);
        assertEquals("i1", description(about(group, "io.nexodus.securitygroup.updated", 1).get(0)));
        assertEquals(refused, EventSink.UNAUTHENTICATED.get(), "every delivery carried the current identity");

        EventSink.dropIdentity();
        try {
            as(bearer).body("{\"description\":\"i2\"}").patch("/api/security-groups/" + group).then().statusCode(200);
            org.awaitility.Awaitility.await().atMost(PATIENCE).until(() -> EventSink.UNAUTHENTICATED.get() > refused);
            assertEquals(1, TestDb.count(db, "SELECT count(*) FROM events WHERE pending AND subject = $1", group),
                    "refused for its missing identity: kept");
        } finally {
            EventSink.renewIdentity();
        }
        given().header("Authorization", TestTokens.serviceBearer()).get("/private/gc").then().statusCode(204);
        assertEquals(List.of("i1", "i2"), about(group, "io.nexodus.securitygroup.updated", 2).stream()
                .map(OutboundEventsTest::description).toList());
    }

    @Test
    void theSameInboundEventTwiceHasOneEffectAndOneAnswerAndAnotherCallersPairBlocksNothing() {
        // a registration key: an effect that is not idempotent by itself (an organization's unique name would
        // turn a second run into a 409 anyway, so counting organizations could not fail)
        String user = Nexd.user("ev-once");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String intruderUser = Nexd.user("ev-other");
        String intruder = TestTokens.bearer(intruderUser);
        String intruderVpc = Nexd.defaultVpc(intruderUser);
        String description = "once-" + UUID.randomUUID();
        String id = UUID.randomUUID().toString();
        String body = "{\"vpc_id\":\"" + vpc + "\",\"description\":\"" + description + "\"}";
        // another tenant sends the pair first, and it succeeds for them (ids can be guessed: Kafka's are
        // partition:offset): that is their event, with their effect, and it takes nothing from the real one
        event(intruder, "io.nexodus.regkey.create", id).body("{\"vpc_id\":\"" + intruderVpc + "\",\"description\":\""
                + description + "\"}").post("/").then().statusCode(200).header("nexodus-replayed", nullValue());

        Response first = event(bearer, "io.nexodus.regkey.create", id).body(body).post("/");
        first.then().statusCode(200).header("ce-type", "io.nexodus.regkey.created").header("nexodus-replayed", nullValue());
        Response again = event(bearer, "io.nexodus.regkey.create", id).body(body).post("/");
        again.then().statusCode(200).header("ce-type", "io.nexodus.regkey.created")
                .header("nexodus-replayed", "true");
        assertEquals(first.body().asString(), again.body().asString());
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM reg_keys WHERE description = $1 AND vpc_id = $2",
                description, UUID.fromString(vpc)), "one effect");
        // a new id is a new event
        event(bearer, "io.nexodus.regkey.create", UUID.randomUUID().toString()).body(body).post("/")
                .then().statusCode(200).header("nexodus-replayed", nullValue());
        assertEquals(2, TestDb.count(db, "SELECT count(*) FROM reg_keys WHERE description = $1 AND vpc_id = $2",
                description, UUID.fromString(vpc)));
    }

    /**
     * A delivery that fails keeps nothing and frees its claim: the Broker's retry of the same
     * source and id runs the function, instead of getting 409 "being handled" until the claim goes stale.
     */
    @Test
    void aFailedDeliveryFreesItsClaimSoTheRetryRuns() {
        String user = Nexd.user("ev-retry");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String id = UUID.randomUUID().toString();
        String description = "retry-" + UUID.randomUUID();
        event(bearer, "io.nexodus.regkey.create", id).body("{\"vpc_id\":\"not-a-uuid\"}").post("/")
                .then().statusCode(400).body("field", equalTo("vpc_id"));
        event(bearer, "io.nexodus.regkey.create", id).body("{\"vpc_id\":\"" + vpc + "\",\"description\":\"" + description
                + "\"}").post("/").then().statusCode(200).header("nexodus-replayed", nullValue());
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM reg_keys WHERE description = $1", description));
        // and that success is now the stored answer
        event(bearer, "io.nexodus.regkey.create", id).body("{}").post("/").then().statusCode(200)
                .header("nexodus-replayed", "true");
    }

    @Test
    void onlyTheOrganizationsOwnersReadItsAuditTrail() {
        String owner = Nexd.user("ev-owner");
        String ownerBearer = TestTokens.bearer(owner);
        String member = Nexd.user("ev-member");
        String memberBearer = TestTokens.bearer(member);
        String memberId = Nexd.defaultVpc(member);
        String org = as(ownerBearer).body("{\"name\":\"audit-" + UUID.randomUUID() + "\"}").post("/api/organizations")
                .then().statusCode(201).extract().path("id");
        String invitation = as(ownerBearer).body("{\"organization_id\":\"" + org + "\",\"user_id\":\"" + memberId + "\"}")
                .post("/api/invitations").then().statusCode(201).extract().path("id");
        as(memberBearer).post("/api/invitations/" + invitation + "/accept").then().statusCode(204);

        as(ownerBearer).get("/api/organizations/" + org + "/events").then().statusCode(200)
                .body("type", equalTo(List.of("io.nexodus.organization.created", "io.nexodus.invitation.created",
                        "io.nexodus.invitation.deleted", "io.nexodus.organization.member.joined")))
                .body("[0].actor_id", equalTo(Nexd.defaultVpc(owner))).body("[0].actor_kind", equalTo("user_token"))
                .body("[3].actor_id", equalTo(memberId));
        as(ownerBearer).queryParam("filter", "{\"type\":\"io.nexodus.invitation.created\"}")
                .get("/api/organizations/" + org + "/events").then().statusCode(200).body("", hasSize(1))
                .body("[0].subject", equalTo(invitation));
        as(ownerBearer).queryParam("since", "2999-01-01T00:00:00Z").get("/api/organizations/" + org + "/events")
                .then().statusCode(200).body("", hasSize(0));
        as(ownerBearer).queryParam("until", "yesterday").get("/api/organizations/" + org + "/events")
                .then().statusCode(400).body("field", equalTo("until"));
        as(memberBearer).get("/api/organizations/" + org + "/events").then().statusCode(403);
        // nor a registration key or a device token of the owner's (the audit trail is for the owners' user tokens)
        String ownerVpc = Nexd.defaultVpc(owner);
        String key = Nexd.regKey(owner, ownerVpc, "");
        given().header("Authorization", "Bearer " + key).get("/api/organizations/" + org + "/events").then().statusCode(403);
        given().header("Authorization", "Bearer " + key).get("/api/organizations/" + ownerVpc + "/events").then().statusCode(403);
        given().header("Authorization", "Bearer " + key).get("/api/organizations/" + ownerVpc).then().statusCode(200);
        as(TestTokens.bearer(Nexd.user("ev-stranger"))).get("/api/organizations/" + org + "/events")
                .then().statusCode(404).body("resource", equalTo("organization"));
    }

    @Test
    void anEventActsForTheUserInItsExtensionWhateverDeliveryTokenABrokerAdds() {
        String user = Nexd.user("ev-oidc");
        String bearer = TestTokens.bearer(user);
        String me = Nexd.defaultVpc(user);
        // a Broker with OIDC sender identity sends its service account's token as Authorization: not ours to verify
        event(bearer, "io.nexodus.user.get", UUID.randomUUID().toString())
                .header("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.a-kubernetes-service-account-token.sig")
                .body("{\"id\":\"me\"}").post("/").then().statusCode(200).body("id", equalTo(me));
        // without the extension, a CloudEvent still authenticates with Authorization (a producer POSTing directly)
        given().header("Authorization", bearer).contentType(ContentType.JSON).header("ce-id", UUID.randomUUID().toString())
                .header("ce-specversion", "1.0").header("ce-source", "/tests/outbound").header("ce-type", "io.nexodus.user.get")
                .body("{\"id\":\"me\"}").post("/").then().statusCode(200).body("id", equalTo(me));
    }
}
