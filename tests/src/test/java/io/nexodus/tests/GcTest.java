package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The {@code gc} function on the real stack: tombstones older than the retention are hard-deleted and
 * younger ones kept; what IPAM holds that no live device does is given back once it has stayed so for
 * the grace period, and never a live device's addresses; the policy is configuration only, and only
 * the service token starts a sweep.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class GcTest {

    @Inject
    Pool db;

    @Inject
    IpamClient ipam;


    private static RequestSpecification asSchedule() {
        return given().header("Authorization", TestTokens.serviceBearer());
    }

    /** What was astray before this test (left by earlier tests of the class): not this test's to answer for. */
    private java.util.Set<String> astrayBefore;

    @org.junit.jupiter.api.BeforeEach
    void noteWhatIsAstrayAlready() {
        astrayBefore = AddressLedger.strays(db);
    }

    /** No test leaves a device without its addresses or an address without its device, checked per test. */
    @org.junit.jupiter.api.AfterEach
    void leftNothingAstray() {
        assertEquals(java.util.Set.of(), AddressLedger.strayedSince(db, astrayBefore), AddressLedger.read(db).toString());
    }

    @Test
    void tombstonesOlderThanTheRetentionGoAndYoungerOnesStay() {
        String user = Nexd.user("gc");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String id = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");
        given().header("Authorization", bearer).delete("/api/devices/" + id).then().statusCode(200);
        java.util.UUID device = java.util.UUID.fromString(id);

        asSchedule().get("/private/gc?retention=24h").then().statusCode(204);
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM devices WHERE id = $1", device), "a fresh tombstone stays");

        db.preparedQuery("UPDATE devices SET deleted_at = now() - interval '30 hours' WHERE id = $1")
                .execute(Tuple.of(device)).await().indefinitely();
        asSchedule().get("/private/gc?retention=48h").then().statusCode(204);
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM devices WHERE id = $1", device), "a caller may keep more");
        asSchedule().get("/private/gc").then().statusCode(204);
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM devices WHERE id = $1", device), "an old tombstone goes");
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM vpcs WHERE id = $1", java.util.UUID.fromString(vpc)), "live rows stay");
    }

    @Test
    void noCallerCanShortenThePolicy() {
        asSchedule().get("/private/gc?retention=tomorrow").then().statusCode(400).body("field", equalTo("retention"));
        asSchedule().get("/private/gc?ipam_grace=-5m").then().statusCode(400).body("field", equalTo("ipam_grace"));
        asSchedule().get("/private/gc?retention=0").then().statusCode(400).body("field", equalTo("retention"));
        asSchedule().get("/private/gc?retention=23h59m").then().statusCode(400).body("field", equalTo("retention"));
        asSchedule().get("/private/gc?ipam_grace=0s").then().statusCode(400).body("field", equalTo("ipam_grace"));
        asSchedule().get("/private/gc?ipam_grace=9m").then().statusCode(400).body("field", equalTo("ipam_grace"));
        asSchedule().get("/private/gc?ipam_grace=10m&retention=24h").then().statusCode(204);
    }

    @Test
    void whatNoLiveDeviceHoldsIsGivenBackAfterTheGracePeriod() {
        String user = Nexd.user("gc-ipam");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        new Nexd().register(bearer, vpc, ",\"advertise_cidrs\":[\"10.77.0.0/24\"]").then().statusCode(201);
        // what a registration that lost its answer leaves: an address and a prefix that nobody holds
        String lost = ipam.acquireIp(IpamNamespaces.SHARED, IpamNamespaces.DEFAULT_IPV4_CIDR).await().atMost(Duration.ofSeconds(10));
        ipam.createPrefix(IpamNamespaces.SHARED, "10.88.0.0/24").await().atMost(Duration.ofSeconds(10));
        long allocations = TestDb.count(db, "SELECT count(*) FROM ipam_addresses");
        assertEquals(java.util.Set.of("address " + lost), AddressLedger.strayedSince(db, astrayBefore),
                "this test's lost address, and only it, has no device");

        // seen, not yet given back: it may belong to a registration still in flight
        AddressLedger.sweep();
        assertEquals(2, TestDb.count(db, "SELECT count(*) FROM ipam_orphans"), "the address and the prefix are remembered");
        assertEquals(allocations, TestDb.count(db, "SELECT count(*) FROM ipam_addresses"));
        // the Funqy and CloudEvent bindings apply the configured grace (10 minutes) too
        db.query("UPDATE ipam_orphans SET first_seen = first_seen - interval '9 minutes'").execute().await().indefinitely();
        asSchedule().contentType("application/json").body("{}").post("/gc")
                .then().statusCode(200).body("ipam_orphans", equalTo(2)).body("ipam_released", equalTo(0));
        assertEquals(allocations, TestDb.count(db, "SELECT count(*) FROM ipam_addresses"), "kept within the configured 10 minutes");

        db.query("UPDATE ipam_orphans SET first_seen = first_seen - interval '2 minutes'").execute().await().indefinitely();
        pingEvent(TestTokens.serviceBearer()).body("{}").post("/").then().statusCode(200).body("ipam_released", equalTo(2));
        assertEquals(java.util.Set.of(), AddressLedger.strays(db), "the lost address is back in the pool, no live"
                + " device lost an address");
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE cidr = '10.88.0.0/24'::cidr"), "the lost prefix is gone");
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE cidr = '10.77.0.0/24'::cidr"), "an advertised one stays");
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM ipam_orphans"), "nothing left to remember");
    }

    private static RequestSpecification pingEvent(String bearer) {
        return given().header("ce-authorization", bearer).contentType("application/json")
                .header("ce-id", java.util.UUID.randomUUID().toString()).header("ce-specversion", "1.0")
                .header("ce-source", "/apis/v1/namespaces/nexodus/pingsources/gc").header("ce-type", "dev.knative.sources.ping");
    }

    /**
     * The PingSource's tick carries no credential (its spec is readable with the namespace's view role): it starts a
     * sweep when the last one began at least nexodus.gc.min-interval (1 h) ago, else 429; the service token's run
     * always runs and counts as the last start. Without a token nothing but the tick passes.
     */
    @Test
    void theScheduleTickNeedsNoTokenAndStartsAtMostOneSweepPerInterval() {
        db.query("UPDATE gc_sweeps SET last_started_at = '-infinity'").execute().await().indefinitely();
        tick().body("{}").post("/").then().statusCode(200).header("ce-type", "io.nexodus.gc.done");
        tick().body("{}").post("/").then().statusCode(429).body("error", equalTo("too many requests"))
                .body("field", equalTo("schedule"));
        // after an hour, the next tick runs again
        db.query("UPDATE gc_sweeps SET last_started_at = now() - interval '61 minutes'").execute().await().indefinitely();
        tick().body("{}").post("/gc").then().statusCode(200);
        // the service token's run is not limited, and is the last start the next tick counts from
        db.query("UPDATE gc_sweeps SET last_started_at = now() - interval '61 minutes'").execute().await().indefinitely();
        asSchedule().contentType("application/json").body("{}").post("/gc").then().statusCode(200);
        tick().body("{}").post("/").then().statusCode(429);
        // without a token, only the tick passes: no other event type, no plain call, not /private/gc
        given().contentType("application/json").header("ce-id", "t1").header("ce-specversion", "1.0")
                .header("ce-source", "/x").header("ce-type", "io.nexodus.organizations.list").body("{}").post("/")
                .then().statusCode(401);
        given().contentType("application/json").body("{}").post("/gc").then().statusCode(401);
        given().get("/private/gc").then().statusCode(401);
    }

    /** The tick as a PingSource sends it: binary mode, its fixed type, no credential. */
    private static RequestSpecification tick() {
        return given().contentType("application/json").header("ce-id", java.util.UUID.randomUUID().toString())
                .header("ce-specversion", "1.0").header("ce-source", "/apis/v1/namespaces/nexodus/pingsources/gc-schedule")
                .header("ce-type", "dev.knative.sources.ping");
    }

    @Test
    void onlyTheServiceTokenStartsASweepUnderEveryBinding() {
        asSchedule().contentType("application/json").body("{}").post("/gc")
                .then().statusCode(200).body("ipam_released", equalTo(0));
        pingEvent(TestTokens.serviceBearer()).body("{}").post("/").then().statusCode(200).header("ce-type", "io.nexodus.gc.done");
        // a PingSource must be given data {}: with none, the answer says so, not a 500
        pingEvent(TestTokens.serviceBearer()).post("/").then().statusCode(400).body("error", containsString("JSON body"));

        String user = TestTokens.bearer(Nexd.user("gc-user"));
        given().get("/private/gc").then().statusCode(401).body("error", equalTo("unauthorized"));
        given().contentType("application/json").post("/gc").then().statusCode(401);
        given().header("Authorization", user).get("/private/gc?ipam_grace=0s").then().statusCode(403).body("error", equalTo("forbidden"));
        given().header("Authorization", user).contentType("application/json").body("{}").post("/gc").then().statusCode(403);
        pingEvent(user).body("{}").post("/").then().statusCode(403);
        given().header("Authorization", "Bearer " + "x".repeat(40)).get("/private/gc").then().statusCode(401);

        // the service token starts scheduled work and nothing else
        asSchedule().get("/api/users").then().statusCode(403).body("reason", equalTo("the service token may only start scheduled work"));
        asSchedule().contentType("application/json").body("{}").post("/organizations").then().statusCode(403);
        given().header("ce-authorization", TestTokens.serviceBearer()).contentType("application/json")
                .header("ce-id", "1").header("ce-specversion", "1.0").header("ce-source", "/x")
                .header("ce-type", "io.nexodus.vpc.create").body("{\"description\":\"x\"}").post("/").then().statusCode(403);
        // on gc's own path too: Funqy dispatches a CloudEvent by its type whatever the path (docs/identity.md: the scope checked is that of the function Funqy runs)
        given().header("ce-authorization", TestTokens.serviceBearer()).contentType("application/json")
                .header("ce-id", "2").header("ce-specversion", "1.0").header("ce-source", "/x")
                .header("ce-type", "io.nexodus.vpc.create").body("{\"description\":\"x\"}").post("/gc").then().statusCode(403);
    }
}
