package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A watch stream is authorised while it lives, not only when it opens (here it asks again every second;
 * 15 s by default): a deleted device's stream and a removed member's stream end, with an error event, and
 * the stream of a caller who still may read goes on. A watch naming a device answers alike for another
 * tenant's device and for none.
 */
@QuarkusTest
@TestProfile(WatchAuthorizationTest.QuickRecheck.class)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class WatchAuthorizationTest {

    public static class QuickRecheck implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("nexodus.watch.reauthorize-every", "PT1S");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    private WatchClient watch(String bearer, String vpc) throws Exception {
        return new WatchClient(base, "/api/events", bearer,
                "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]");
    }

    /** Within a few rechecks, an error event (after any change already on its way), then the end. */
    private static void assertEndsForLostAccess(WatchClient stream) throws InterruptedException {
        JsonObject error = stream.next(6);
        while (!"error".equals(error.getString("type")) && !"eof".equals(error.getString("type"))) {
            error = stream.next(6);
        }
        assertEquals("error", error.getString("type"), "an error event ends it: " + error);
        assertTrue(error.getJsonObject("value").getString("error").contains("gone"), error.encode());
        assertEquals("eof", stream.next(5).getString("type"), "then the stream ends");
    }

    /** A user's device, registered, its token opened: the owner's bearer and default VPC, the agent, the device. */
    private record OwnedDevice(String bearer, String vpc, Nexd agent, String id, String deviceBearer) {
        static OwnedDevice register(String name) {
            String user = Nexd.user(name);
            String bearer = TestTokens.bearer(user);
            String vpc = Nexd.defaultVpc(user);
            Nexd agent = new Nexd();
            Response registered = agent.register(bearer, vpc, "").then().statusCode(201).extract().response();
            return new OwnedDevice(bearer, vpc, agent, registered.path("id"),
                    "Bearer " + agent.open(registered.path("bearer_token")));
        }
    }

    /** The stream goes on: a device the owner registers next reaches it (after any event already on its way). */
    private static void assertGoesOn(WatchClient stream, OwnedDevice owned, String what) throws InterruptedException {
        String next = new Nexd().register(owned.bearer(), owned.vpc(), "").then().statusCode(201).extract().path("id");
        JsonObject event = stream.next(5);
        while (!next.equals(event.getJsonObject("value", new JsonObject()).getString("id"))
                && !"eof".equals(event.getString("type")) && !"error".equals(event.getString("type"))) {
            event = stream.next(5);
        }
        assertEquals(next, event.getJsonObject("value", new JsonObject()).getString("id"), what + " goes on: " + event);
    }

    @Test
    void aDeletedDevicesStreamEnds() throws Exception {
        OwnedDevice owned = OwnedDevice.register("watch-dt");
        try (WatchClient owner = watch(owned.bearer(), owned.vpc());
                WatchClient device = watch(owned.deviceBearer(), owned.vpc())) {
            device.untilTail("device");
            owner.untilTail("device");
            given().header("Authorization", owned.bearer()).delete("/api/devices/" + owned.id()).then().statusCode(200);
            assertEndsForLostAccess(device);
            // first: the device's own stream opened and closed, which is presence, no change (V13)
            JsonObject event = owner.next(5);
            assertEquals("delete", event.getString("type"), event.encode());
            assertGoesOn(owner, owned, "the owner's stream");
        }
        given().header("Authorization", owned.deviceBearer()).get("/api/devices/" + owned.id()).then().statusCode(401);
    }

    /**
     * Rotation is the answer to a leaked device token: the old token's open stream ends at its
     * next re-check, though the device it names still exists; the new token's stream goes on.
     */
    @Test
    void aRotatedTokensStreamEnds() throws Exception {
        OwnedDevice owned = OwnedDevice.register("watch-rotated");
        try (WatchClient leaked = watch(owned.deviceBearer(), owned.vpc())) {
            leaked.untilTail("device");
            String sealed = given().header("Authorization", owned.bearer()).post("/api/devices/" + owned.id() + "/token")
                    .then().statusCode(200).extract().path("bearer_token");
            String newBearer = "Bearer " + owned.agent().open(sealed);
            assertEndsForLostAccess(leaked);
            given().header("Authorization", owned.deviceBearer()).get("/api/devices/" + owned.id()).then().statusCode(401);
            try (WatchClient current = watch(newBearer, owned.vpc())) {
                current.untilTail("device");
                Thread.sleep(2_500); // past two re-checks
                assertGoesOn(current, owned, "the new token's stream");
            }
        }
    }

    /**
     * A device token past its expiry (a registration key's {@code device_token_ttl}; expired here by writing the time)
     * ends the device's stream at the next re-check, as a deleted device's or a rotated token's does, though the row
     * lives on. The owner's own stream goes on. (A registration key opens no stream: 403.)
     */
    @Test
    void anExpiredDeviceTokensStreamEnds() throws Exception {
        OwnedDevice owned = OwnedDevice.register("watch-expired");
        try (WatchClient owner = watch(owned.bearer(), owned.vpc());
                WatchClient device = watch(owned.deviceBearer(), owned.vpc())) {
            owner.untilTail("device");
            device.untilTail("device");
            db.preparedQuery("UPDATE devices SET token_expires_at = now() - interval '1 second' WHERE id = $1")
                    .execute(Tuple.of(UUID.fromString(owned.id()))).await().indefinitely();
            assertEndsForLostAccess(device);
            owner.assertQuiet(1_500); // past another re-check: no error, no end
        }
        given().header("Authorization", owned.deviceBearer()).get("/api/devices/" + owned.id()).then().statusCode(401);
    }

    @Test
    void aRemovedMembersStreamEnds() throws Exception {
        String owner = Nexd.user("watch-owner");
        String member = Nexd.user("watch-member");
        Nexd.defaultVpc(owner);
        String memberId = Nexd.defaultVpc(member);
        String org = json(owner, "{\"name\":\"" + owner + "-team\"}").post("/api/organizations")
                .then().statusCode(201).extract().path("id");
        String vpc = json(owner, "{\"organization_id\":\"" + org + "\",\"description\":\"shared\"}").post("/api/vpcs")
                .then().statusCode(201).extract().path("id");
        String invitation = json(owner, "{\"organization_id\":\"" + org + "\",\"user_id\":\"" + memberId + "\"}")
                .post("/api/invitations").then().statusCode(201).extract().path("id");
        given().header("Authorization", TestTokens.bearer(member)).post("/api/invitations/" + invitation + "/accept")
                .then().statusCode(204);
        try (WatchClient stream = watch(TestTokens.bearer(member), vpc)) {
            stream.untilTail("device");
            given().header("Authorization", TestTokens.bearer(owner)).delete("/api/organizations/" + org + "/users/" + memberId)
                    .then().statusCode(200);
            assertEndsForLostAccess(stream);
        }
    }

    @Test
    void aWatchNamingADeviceAnswersAlikeForAnotherTenantsAndForNone() {
        String owner = Nexd.user("oracle-owner");
        String vpc = Nexd.defaultVpc(owner);
        String device = new Nexd().register(TestTokens.bearer(owner), vpc, "").then().statusCode(201).extract().path("id");
        String stranger = TestTokens.bearer(Nexd.user("oracle-stranger"));
        String theirs = metadataWatch(stranger, device);
        String none = metadataWatch(stranger, UUID.randomUUID().toString());
        assertEquals(none, theirs, "another tenant's device and no device look the same");
        assertTrue(none.contains("\"device\""), none);
    }

    private static String metadataWatch(String bearer, String deviceId) {
        return given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("[{\"kind\":\"device-metadata\",\"options\":{\"device-id\":\"" + deviceId + "\"}}]")
                .post("/api/events").then().statusCode(404).extract().asString();
    }

    private static io.restassured.specification.RequestSpecification json(String user, String body) {
        return given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body(body);
    }

    /** Transactions this database has run so far (every statement of a pooled client is one). */
    private long transactions() {
        return db.query("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
                .execute().await().indefinitely().iterator().next().getLong(0);
    }

    /**
     * What open streams cost the database while nothing changes must not grow with their number (docs/benchmarks.md, "A fleet from its own process"): the
     * re-check of 40 device streams, every second here, is a few queries a round for all of them. It was two per
     * stream (credential, membership): ~80 transactions a second here, ~130 queries/s per 1,000 streams at 15 s.
     */
    @Test
    void reCheckingManyStreamsCostsAFewQueriesARoundNotTwoPerStream() throws Exception {
        String user = Nexd.user("watch-many");
        String vpc = Nexd.defaultVpc(user);
        String key = "Bearer " + Nexd.regKey(user, vpc, "");
        List<WatchClient> streams = new ArrayList<>();
        try {
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Nexd nexd = new Nexd();
                tokens.add(nexd.open(nexd.register(key, vpc, "").then().statusCode(201).extract().path("bearer_token")));
            }
            for (String token : tokens) {
                WatchClient stream = watch("Bearer " + token, vpc);
                assertEquals(200, stream.status);
                stream.untilTail("device");
                streams.add(stream);
            }
            // PostgreSQL publishes an idle backend's counts up to 10 s late: let the registrations' and the
            // streams' openings land before the window
            Thread.sleep(11_000);
            long before = transactions();
            Thread.sleep(6_000);
            long spent = transactions() - before;
            // 6 rounds: at most 4 queries each (+ the odd heartbeat); one per stream per round would be 240 and more
            assertTrue(spent < 100, "40 idle streams re-checked 6 times cost " + spent + " transactions");
            // and every stream stood its re-checks: no event (the others going online is no change), no error, no end
            for (WatchClient stream : streams) {
                stream.assertQuiet(10);
            }
        } finally {
            streams.forEach(WatchClient::close);
        }
    }
}
