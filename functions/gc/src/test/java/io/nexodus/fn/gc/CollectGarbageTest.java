package io.nexodus.fn.gc;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.shared.model.TunnelIp;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestDeviceAddresses;
import io.nexodus.testing.TestDevices;
import io.nexodus.testing.TestIpam;
import io.nexodus.testing.TestRegKeys;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The gc function alone ({@code GET /private/gc}, its Funqy name {@code gc} and the schedule's tick) against a
 * real PostgreSQL and the real IPAM server in the application under test, with the default policy (retention
 * 24 h, IPAM grace 10 min, ephemeral inactivity 30 min): what a sweep removes, and what it must keep. Devices
 * are registered by taking their addresses from that IPAM server and writing the row (TestDeviceAddresses),
 * as register-device does; ages are set in the database.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class CollectGarbageTest {

    private static final String SHARED = IpamNamespaces.SHARED;

    @Inject
    Pool db;

    @Inject
    IpamClient ipam;

    private static RequestSpecification asService() {
        return given().header("Authorization", TestTokens.serviceBearer());
    }

    /** A sweep as a CronJob or an operator starts it, by the Funqy name with the service token: its report. */
    private static JsonPath sweep() {
        return asService().contentType(ContentType.JSON).body("{}").post("/gc").then().statusCode(200).extract().jsonPath();
    }

    /**
     * Provisions the user by a first request: a user may not start a sweep (403), but is provisioned all the
     * same. Their id is also their default VPC's.
     */
    private String provision(String user) {
        given().header("Authorization", TestTokens.bearer(user)).get("/private/gc").then().statusCode(403);
        return TestUsers.idOf(db, user);
    }

    private void setAgo(String table, String column, String id, String interval) {
        db.preparedQuery("UPDATE " + table + " SET " + column + " = now() - $2::text::interval WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(id), interval)).await().indefinitely();
    }

    private boolean exists(String table, String id) {
        return TestDb.count(db, "SELECT count(*) FROM " + table + " WHERE id = $1", UUID.fromString(id)) == 1;
    }

    private boolean isLive(String deviceId) {
        return TestDb.count(db, "SELECT count(*) FROM devices WHERE id = $1 AND deleted_at IS NULL",
                UUID.fromString(deviceId)) == 1;
    }

    /** The device's IPv4 and IPv6 address. */
    private List<String> addresses(String deviceId) {
        var row = db.preparedQuery("SELECT ipv4_tunnel_ips->0->>'address', ipv6_tunnel_ips->0->>'address' FROM devices"
                + " WHERE id = $1").execute(Tuple.of(UUID.fromString(deviceId))).await().indefinitely().iterator().next();
        return List.of(row.getString(0), row.getString(1));
    }

    private boolean ipamHolds(List<String> addresses) {
        return addresses.stream().allMatch(a -> TestIpam.holdsAddress(db, SHARED, a));
    }

    private boolean ipamHoldsNone(List<String> addresses) {
        return addresses.stream().noneMatch(a -> TestIpam.holdsAddress(db, SHARED, a));
    }

    @Test
    void tombstonesOlderThanTheRetentionAreHardDeletedAndYoungerOnesAndLiveRowsStay() {
        String user = TestUsers.unique("alice");
        String vpc = provision(user);
        // rows only: tombstones are about the database (addresses outside any IPAM prefix)
        String old = TestDevices.insert(db, vpc, vpc, new TunnelIp("192.0.2.1", "192.0.2.0/24"),
                new TunnelIp("2001:db8::1", "2001:db8::/64")).id();
        String young = TestDevices.insert(db, vpc, vpc, new TunnelIp("192.0.2.2", "192.0.2.0/24"),
                new TunnelIp("2001:db8::2", "2001:db8::/64")).id();
        String live = TestDevices.insert(db, vpc, vpc, new TunnelIp("192.0.2.3", "192.0.2.0/24"),
                new TunnelIp("2001:db8::3", "2001:db8::/64")).id();
        String oldKey = TestRegKeys.insert(db, vpc, vpc).id();
        setAgo("devices", "deleted_at", old, "30 hours");
        setAgo("devices", "deleted_at", young, "1 hour");
        setAgo("reg_keys", "deleted_at", oldKey, "30 hours");

        // a caller may ask to keep more than the policy
        asService().get("/private/gc?retention=48h").then().statusCode(204);
        assertTrue(exists("devices", old), "kept: younger than the 48 hours asked for");

        JsonPath report = sweep();
        assertEquals(1, report.getInt("purged.devices"), report.prettify());
        assertEquals(1, report.getInt("purged.reg_keys"), report.prettify());
        assertFalse(exists("devices", old), "a tombstone older than the retention goes");
        assertFalse(exists("reg_keys", oldKey));
        assertTrue(exists("devices", young), "a younger tombstone stays: watchers resuming still need it");
        assertTrue(isLive(live), "a live device stays");
        assertTrue(exists("vpcs", vpc) && exists("users", vpc), "live rows stay");
    }

    @Test
    void anInactiveEphemeralDeviceIsRemovedWithItsAddressesAndEveryOtherDeviceStays() {
        String user = TestUsers.unique("bob");
        String vpc = provision(user);
        String idle = TestDeviceAddresses.register(db, vpc, vpc, List.of("10.50.0.0/24"), true).id();
        String fresh = TestDeviceAddresses.register(db, vpc, vpc, List.of(), true).id();
        String ordinary = TestDeviceAddresses.register(db, vpc, vpc, List.of(), false).id();
        String streaming = TestDeviceAddresses.register(db, vpc, vpc, List.of(), true).id();
        for (String id : List.of(idle, ordinary, streaming)) {
            setAgo("devices", "last_seen_at", id, "1 hour");
        }
        // a watch stream of it is open: its replica's heartbeat vouches for it
        db.preparedQuery("INSERT INTO device_sessions (stream_id, device_id, replica) VALUES ($1, $2, 'replica-1')")
                .execute(Tuple.of(UUID.randomUUID(), UUID.fromString(streaming))).await().indefinitely();
        List<String> idleAddresses = addresses(idle);
        assertTrue(ipamHolds(idleAddresses));

        JsonPath report = sweep();
        assertEquals(1, report.getInt("ephemeral_removed"), report.prettify());
        assertFalse(isLive(idle), "offline for longer than 30 minutes: removed");
        assertTrue(exists("devices", idle), "as its owner's delete removes it: a tombstone watchers see");
        assertTrue(ipamHoldsNone(idleAddresses), "its addresses are back in IPAM");
        assertFalse(TestIpam.holdsPrefix(db, SHARED, "10.50.0.0/24"), "and its advertised prefix");
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM events WHERE subject = $1 AND type = 'io.nexodus.device.deleted'"
                + " AND source = '/nexodus/gc'", idle), "its delete event, from gc");
        for (String kept : List.of(fresh, ordinary, streaming)) {
            assertTrue(isLive(kept), "kept: " + kept);
            assertTrue(ipamHolds(addresses(kept)), "with its addresses: " + kept);
        }
    }

    /** A watch stream session of the device, its heartbeat {@code age} old (a replica that stopped refreshing it). */
    private void session(String deviceId, String age) {
        db.preparedQuery("INSERT INTO device_sessions (stream_id, device_id, replica, heartbeat_at)"
                        + " VALUES ($1, $2, 'replica-1', now() - $3::text::interval)")
                .execute(Tuple.of(UUID.randomUUID(), UUID.fromString(deviceId), age)).await().indefinitely();
    }

    private String onlineAndRevision(String deviceId) {
        var row = db.preparedQuery("SELECT online, revision FROM devices WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(deviceId))).await().indefinitely().iterator().next();
        return (row.getBoolean(0) ? "online" : "offline") + " at revision " + row.getInteger(1);
    }

    /**
     * A device that shows online while no stream holds it (its replica died, or stopped while the device was in its
     * offline grace, so nobody wrote it offline) is marked offline, its revision kept: presence is no change its peers
     * watch (migration V13). One a live stream holds stays online.
     */
    @Test
    void devicesNoStreamHoldsAreMarkedOfflineWithoutAChangeForTheirPeers() {
        String user = TestUsers.unique("carol");
        String vpc = provision(user);
        String orphaned = TestDeviceAddresses.register(db, vpc, vpc, List.of(), false).id();
        String deadReplica = TestDeviceAddresses.register(db, vpc, vpc, List.of(), false).id();
        String held = TestDeviceAddresses.register(db, vpc, vpc, List.of(), false).id();
        db.preparedQuery("UPDATE devices SET online = true WHERE id = ANY($1)")
                .execute(Tuple.of(new UUID[] {UUID.fromString(orphaned), UUID.fromString(deadReplica), UUID.fromString(held)}))
                .await().indefinitely();
        session(deadReplica, "10 minutes");
        session(held, "0 seconds");
        String orphanedBefore = onlineAndRevision(orphaned);
        String deadReplicaBefore = onlineAndRevision(deadReplica);
        String heldBefore = onlineAndRevision(held);

        JsonPath report = sweep();
        assertTrue(report.getInt("marked_offline") >= 2, report.prettify());
        assertEquals(orphanedBefore.replace("online", "offline"), onlineAndRevision(orphaned), "no session at all");
        assertEquals(deadReplicaBefore.replace("online", "offline"), onlineAndRevision(deadReplica), "a stale session");
        assertEquals(heldBefore, onlineAndRevision(held), "a live session");
        assertTrue(heldBefore.startsWith("online"), heldBefore);
    }

    @Test
    void whatNoLiveDeviceHoldsIsGivenBackOnlyAfterTheGracePeriod() {
        String user = TestUsers.unique("carol");
        String vpc = provision(user);
        String live = TestDeviceAddresses.register(db, vpc, vpc, List.of("10.77.0.0/24"), false).id();
        // a device whose delete committed but whose release IPAM refused: its addresses stay behind
        String gone = TestDeviceAddresses.register(db, vpc, vpc).id();
        db.preparedQuery("UPDATE devices SET deleted_at = now() WHERE id = $1").execute(Tuple.of(UUID.fromString(gone)))
                .await().indefinitely();
        // what a registration that lost its answer leaves: an address and a prefix nobody holds
        String lost = ipam.acquireIp(SHARED, IpamNamespaces.DEFAULT_IPV4_CIDR).await().atMost(Duration.ofSeconds(10));
        ipam.createPrefix(SHARED, "10.88.0.0/24").await().atMost(Duration.ofSeconds(10));
        long allocated = TestIpam.addresses(db);

        JsonPath first = sweep();
        assertEquals(4, first.getInt("ipam_orphans"), "the deleted device's two addresses, the lost one and the prefix");
        assertEquals(0, first.getInt("ipam_released"), "within the grace period a registration may still hold them");
        assertEquals(allocated, TestIpam.addresses(db));
        // no caller may shorten the grace
        asService().get("/private/gc?ipam_grace=1m").then().statusCode(400).body("field", equalTo("ipam_grace"));

        db.query("UPDATE ipam_orphans SET first_seen = first_seen - interval '11 minutes'").execute().await().indefinitely();
        JsonPath second = sweep();
        assertEquals(4, second.getInt("ipam_released"), second.prettify());
        assertTrue(ipamHoldsNone(addresses(gone)), "the deleted device's addresses are back");
        assertFalse(TestIpam.holdsAddress(db, SHARED, lost), "the lost address is back");
        assertFalse(TestIpam.holdsPrefix(db, SHARED, "10.88.0.0/24"), "the lost prefix is gone");
        assertTrue(ipamHolds(addresses(live)), "a live device keeps its addresses");
        assertTrue(TestIpam.holdsPrefix(db, SHARED, "10.77.0.0/24"), "and its advertised prefix");
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM ipam_orphans"), "nothing left to remember");
    }

    @Test
    void onlyTheScheduleStartsASweepAndNoCallerShortensThePolicy() {
        String user = TestUsers.unique("dave");
        provision(user);
        given().get("/private/gc").then().statusCode(401).body("error", equalTo("unauthorized"));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON).body("{}").post("/gc")
                .then().statusCode(403).body("error", equalTo("forbidden"));
        asService().get("/private/gc?retention=23h").then().statusCode(400).body("field", equalTo("retention"));
        asService().get("/private/gc?retention=tomorrow").then().statusCode(400).body("field", equalTo("retention"));
        asService().get("/private/gc?ipam_grace=0s").then().statusCode(400).body("field", equalTo("ipam_grace"));
        asService().get("/private/gc?retention=24h&ipam_grace=10m").then().statusCode(204);

        // the PingSource's tick carries no credential: one sweep per nexodus.gc.min-interval (1 h)
        db.query("UPDATE gc_sweeps SET last_started_at = '-infinity'").execute().await().indefinitely();
        tick().then().statusCode(200).header("ce-type", "io.nexodus.gc.done");
        tick().then().statusCode(429).body("field", equalTo("schedule"));
    }

    private static io.restassured.response.Response tick() {
        return given().contentType(ContentType.JSON).header("ce-id", UUID.randomUUID().toString())
                .header("ce-specversion", "1.0").header("ce-source", "/apis/v1/namespaces/nexodus/pingsources/gc")
                .header("ce-type", "dev.knative.sources.ping").body("{}").post("/");
    }
}
