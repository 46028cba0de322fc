package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
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
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** fetch-peers: the peer list and the watch streams, against the real stack. */
@QuarkusTest
@TestProfile(FetchPeersTest.QuickOffline.class)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FetchPeersTest {

    /**
     * A device goes offline 5 s after its last stream closes (Nexodus's grace, and this project's before), not 30 s
     * (the default, for fleets reconnecting): long enough for a watcher to close and resume its stream without
     * flapping, short enough for aDeviceHoldingAWatchIsOnline to see it go.
     */
    public static class QuickOffline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("nexodus.watch.offline-grace", "PT5S");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    /** A registered agent with its opened device token. */
    record Agent(Nexd nexd, String id, String token, long revision) {
    }

    private static Agent register(String bearer, String vpc) {
        Nexd nexd = new Nexd();
        JsonPath device = nexd.register(bearer, vpc, "").then().statusCode(201).extract().jsonPath();
        return new Agent(nexd, device.getString("id"), nexd.open(device.getString("bearer_token")), device.getLong("revision"));
    }

    private static String deviceWatch(String vpc, long gtRevision, boolean atTail) {
        return "[{\"kind\":\"device\",\"gt_revision\":" + gtRevision + ",\"at_tail\":" + atTail
                + ",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
    }

    /**
     * A device its owner moves to another VPC reaches that VPC's watchers at once, as a change there: update-device
     * signals the VPC the device leaves and the one it joins in the statement that moves it.
     */
    @Test
    void aDeviceMovedToAnotherVpcReachesThatVpcsWatchersAtOnce() throws Exception {
        String user = Nexd.user("mover");
        String home = Nexd.defaultVpc(user); // its id is the user's organization's
        String bearer = TestTokens.bearer(user);
        String target = given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"organization_id\":\"" + home + "\",\"description\":\"lab\"}").post("/api/vpcs")
                .then().statusCode(201).extract().path("id");
        Agent agent = register(bearer, home);
        try (WatchClient watch = new WatchClient(base, "/api/events", bearer, deviceWatch(target, 0, false))) {
            assertEquals(200, watch.status);
            watch.untilTail("device");
            given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"vpc_id\":\"" + target + "\"}")
                    .patch("/api/devices/" + agent.id()).then().statusCode(200);
            JsonObject moved = watch.next(5);
            assertEquals("change " + agent.id(), moved.getString("type") + " "
                    + moved.getJsonObject("value", new JsonObject()).getString("id"), moved.encode());
        }
    }

    @Test
    void aWatcherSeesRegistrationUpdateAndDeleteInOrderOnce() throws Exception {
        String user = Nexd.user("alice");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Agent watcher = register(bearer, vpc);
        try (WatchClient watch = new WatchClient(base, "/api/events", "Bearer " + watcher.token(),
                deviceWatch(vpc, 0, false))) {
            assertEquals(200, watch.status);
            assertEquals("application/json;stream=watch", watch.contentType);
            List<JsonObject> replay = watch.untilTail("device");
            assertEquals(2, replay.size(), "the watcher itself, then tail: " + replay);
            JsonObject self = replay.get(0).getJsonObject("value");
            assertEquals(watcher.id(), self.getString("id"));
            assertTrue(self.getString("bearer_token") == null, "a watch carries no token, not even the device's own");
            // its own stream marks it online at the replica's next flush; presence is no change its watch carries, so
            // the next event is the peer's registration, not its own flip (migration V13)

            Agent peer = register(bearer, vpc);
            JsonObject registered = watch.next(5);
            assertEquals("change", registered.getString("type"));
            assertEquals(peer.id(), registered.getJsonObject("value").getString("id"));
            assertTrue(registered.getJsonObject("value").getString("bearer_token") == null, "no one else's token");

            given().header("Authorization", "Bearer " + peer.token()).contentType(ContentType.JSON)
                    .body("{\"endpoints\":[{\"source\":\"stun\",\"address\":\"9.9.9.9:51820\"}]}")
                    .patch("/api/devices/" + peer.id()).then().statusCode(200);
            JsonObject updated = watch.next(5);
            assertEquals("change", updated.getString("type"));
            assertEquals("9.9.9.9:51820", updated.getJsonObject("value").getJsonArray("endpoints").getJsonObject(0)
                    .getString("address"));
            assertTrue(updated.getJsonObject("value").getLong("revision") > registered.getJsonObject("value").getLong("revision"));

            given().header("Authorization", bearer).delete("/api/devices/" + peer.id()).then().statusCode(200);
            JsonObject deleted = watch.next(5);
            assertEquals("delete", deleted.getString("type"));
            assertEquals(peer.id(), deleted.getJsonObject("value").getString("id"));
            watch.assertQuiet(500);
        }
    }

    @Test
    void aWatcherThatResumesMissesNothingAndGetsNothingTwice() throws Exception {
        String user = Nexd.user("bob");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Agent watcher = register(bearer, vpc);
        Agent early = register(bearer, vpc);
        long last;
        try (WatchClient watch = new WatchClient(base, "/api/events", "Bearer " + watcher.token(),
                deviceWatch(vpc, 0, false))) {
            List<JsonObject> replay = watch.untilTail("device");
            last = replay.stream().filter(e -> e.containsKey("value"))
                    .mapToLong(e -> e.getJsonObject("value").getLong("revision")).max().orElseThrow();
        }
        // while disconnected: one device joins, one changes, one leaves
        Agent late = register(bearer, vpc);
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"hostname\":\"renamed\"}")
                .patch("/api/devices/" + late.id()).then().statusCode(200);
        given().header("Authorization", bearer).delete("/api/devices/" + early.id()).then().statusCode(200);

        try (WatchClient watch = new WatchClient(base, "/api/events", "Bearer " + watcher.token(),
                deviceWatch(vpc, last, true))) {
            // rows, not a log: the device that joined and was renamed arrives once, in its latest state
            JsonObject joined = watch.next(5);
            assertEquals("change", joined.getString("type"));
            assertEquals(late.id(), joined.getJsonObject("value").getString("id"));
            assertEquals("renamed", joined.getJsonObject("value").getString("hostname"));
            JsonObject left = watch.next(5);
            assertEquals("delete", left.getString("type"));
            assertEquals(early.id(), left.getJsonObject("value").getString("id"));
            watch.assertQuiet(700);
        }
    }

    @Test
    void aDeviceCannotWatchAVpcItDoesNotBelongTo() throws Exception {
        String owner = Nexd.user("carol");
        String otherVpc = Nexd.defaultVpc(Nexd.user("dave"));
        Agent agent = register(TestTokens.bearer(owner), Nexd.defaultVpc(owner));
        try (WatchClient watch = new WatchClient(base, "/api/events", "Bearer " + agent.token(),
                deviceWatch(otherVpc, 0, false))) {
            assertEquals(404, watch.status);
        }
        try (WatchClient watch = new WatchClient(base, "/api/vpcs/" + otherVpc + "/events",
                TestTokens.bearer(owner), "[{\"kind\":\"device\"}]")) {
            assertEquals(404, watch.status);
        }
        try (WatchClient watch = new WatchClient(base, "/api/events", "Bearer " + agent.token(),
                "[{\"kind\":\"bogus\"}]")) {
            assertEquals(400, watch.status);
        }
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/vpcs/" + otherVpc + "/devices")
                .then().statusCode(404);
    }

    @Test
    void theListShowsPeersWithTokensHiddenAndDeltasByRevision() {
        String user = Nexd.user("erin");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Agent a = register(bearer, vpc);
        Agent b = register(bearer, vpc);
        // a device's view of its VPC: no token in a read (DeviceTokenVault#withoutToken)
        given().header("Authorization", "Bearer " + a.token()).get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).header("X-Total-Count", "2")
                .body("find { it.id == '" + b.id() + "' }.bearer_token", nullValue());
        given().header("Authorization", bearer).delete("/api/devices/" + b.id()).then().statusCode(200);
        given().header("Authorization", bearer).queryParam("gt_revision", a.revision())
                .get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).body("id", equalTo(List.of(b.id())));
        given().header("Authorization", bearer).get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).body("id", not(hasItem(b.id()))).body("id", hasItem(a.id()));
        // Funqy and CloudEvent bindings of the same list
        given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"id\":\"" + vpc + "\"}")
                .post("/list-peers").then().statusCode(200).body("id", equalTo(List.of(a.id())));
        given().header("Authorization", bearer).header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-type", "io.nexodus.vpc.devices.list").header("ce-source", "/tests")
                .contentType(ContentType.JSON).body("{\"id\":\"" + vpc + "\"}").post("/")
                .then().statusCode(200).header("ce-type", "io.nexodus.vpc.devices.listed").body("id", equalTo(List.of(a.id())));
    }

    @Test
    void aDeviceHoldingAWatchIsOnline() throws Exception {
        String user = Nexd.user("frank");
        String vpc = Nexd.defaultVpc(user);
        Agent agent = register(TestTokens.bearer(user), vpc);
        try (WatchClient watch = new WatchClient(base, "/api/events", "Bearer " + agent.token(),
                deviceWatch(vpc, 0, false))) {
            watch.untilTail("device");
            // written at the replica's next flush of online flips (nexodus.watch.online-flush, 1 s)
            long deadline = System.currentTimeMillis() + 10_000;
            boolean online = false;
            while (!online && System.currentTimeMillis() < deadline) {
                online = db.preparedQuery("SELECT online FROM devices WHERE id = $1")
                        .execute(Tuple.of(UUID.fromString(agent.id()))).await().indefinitely().iterator().next().getBoolean(0);
                if (!online) {
                    Thread.sleep(100);
                }
            }
            assertTrue(online, "online while its stream is open");
        }
        // offline after the grace period (5 s here, QuickOffline)
        long deadline = System.currentTimeMillis() + 15_000;
        boolean online = true;
        while (online && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            online = db.preparedQuery("SELECT online FROM devices WHERE id = $1")
                    .execute(Tuple.of(UUID.fromString(agent.id()))).await().indefinitely().iterator().next().getBoolean(0);
        }
        assertTrue(!online, "offline once the stream is gone");
    }
}
