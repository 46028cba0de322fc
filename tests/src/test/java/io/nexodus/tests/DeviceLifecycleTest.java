package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Devices against the real PostgreSQL and the real IPAM server: keys used concurrently, expired and bad
 * keys, bad input, addresses returned on delete, and a registration that fails in IPAM half-way leaving
 * nothing behind. The IPAM tables are checked directly: allocations must equal live devices.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DeviceLifecycleTest {

    @Inject
    Pool db;


    /** What was astray before this test (left by earlier tests of the class): not this test's to answer for. */
    private java.util.Set<String> astrayBefore;

    @org.junit.jupiter.api.BeforeEach
    void noteWhatIsAstrayAlready() {
        astrayBefore = AddressLedger.strays(db);
    }

    /**
     * Per device and per address, scoped to this test: every live device it made holds its own two addresses,
     * and IPAM holds no address it took without its device. Checked within the test and again after it
     * ({@link #leftNothingAstray}), so a leak after the test's last check is seen, and by the test that made it.
     */
    private void assertNoOrphans() {
        assertEquals(java.util.Set.of(), AddressLedger.strayedSince(db, astrayBefore),
                "devices without their addresses, or addresses without their device: " + AddressLedger.read(db));
    }

    @org.junit.jupiter.api.AfterEach
    void leftNothingAstray() {
        assertNoOrphans();
    }

    @Test
    void aSingleUseKeyUsedTwiceAtOnceMakesExactlyOneDevice() throws Exception {
        String user = Nexd.user("carol");
        String vpc = Nexd.defaultVpc(user);
        String rk = "Bearer " + Nexd.regKey(user, vpc, ",\"single_use\":true");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Integer> statuses = new ArrayList<>();
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(() -> new Nexd().register(rk, vpc, "").statusCode());
            }
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), "statuses " + statuses);
        assertEquals(3, statuses.stream().filter(s -> s == 400).count(), "statuses " + statuses);
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM devices WHERE owner_id = $1", UUID.fromString(vpc)));
        assertNoOrphans();
        // and once its device is deleted, the key stays spent (Nexodus let it register again)
        String id = given().header("Authorization", TestTokens.bearer(user)).get("/api/devices")
                .then().extract().path("[0].id");
        given().header("Authorization", TestTokens.bearer(user)).delete("/api/devices/" + id).then().statusCode(200);
        new Nexd().register(rk, vpc, "").then().statusCode(400).body("error", equalTo("single use reg key exhausted"));
        assertNoOrphans();
    }

    @Test
    void expiredUnknownAndForeignKeysAreRefused() {
        String user = Nexd.user("dave");
        String vpc = Nexd.defaultVpc(user);
        String rk = Nexd.regKey(user, vpc, ",\"expires_at\":\"2999-01-01T00:00:00Z\"");
        db.preparedQuery("UPDATE reg_keys SET expires_at = now() - interval '1 minute' WHERE owner_id = $1")
                .execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely();
        new Nexd().register("Bearer " + rk, vpc, "").then().statusCode(401).body("reason", equalTo("reg key expired"));
        new Nexd().register("Bearer RK:bm90LWEta2V5LWF0LWFsbC1qdXN0LTMyLWJ5dGVzISE=", vpc, "").then().statusCode(401);
        // a key of another VPC: Nexodus's 400 naming vpc_id
        String other = Nexd.defaultVpc(Nexd.user("erin"));
        String rk2 = "Bearer " + Nexd.regKey(user, vpc, "");
        new Nexd().register(rk2, other, "").then().statusCode(400).body("field", equalTo("vpc_id"));
        // a user cannot register into another tenant's VPC
        new Nexd().register(TestTokens.bearer(user), other, "").then().statusCode(404).body("resource", equalTo("vpc"));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM devices WHERE owner_id = $1", UUID.fromString(vpc)));
        assertNoOrphans();
    }

    @Test
    void badInputNamesTheFieldAndStoresNothing() {
        String user = Nexd.user("frank");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Nexd agent = new Nexd();
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"not-a-key\"}").post("/api/devices")
                .then().statusCode(400).body("field", equalTo("public_key"));
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\"}").post("/api/devices")
                .then().statusCode(400).body("field", equalTo("public_key"));
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"public_key\":\"" + agent.publicKey + "\"}").post("/api/devices")
                .then().statusCode(400).body("field", equalTo("vpc_id"));
        agent.register(bearer, vpc, ",\"advertise_cidrs\":[\"10.0.0.0/33\"]").then().statusCode(400)
                .body("field", equalTo("advertise_cidrs[0]"));
        agent.register(bearer, vpc, ",\"ipv4_tunnel_ips\":[{\"address\":\"100.64.0.9\"},{\"address\":\"100.64.0.10\"}]")
                .then().statusCode(400).body("field", equalTo("ipv4_tunnel_ips"));
        agent.register(bearer, vpc, ",\"relay\":\"yes\"").then().statusCode(400).body("field", equalTo("relay"));
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\"" + agent.publicKey
                        + "\",\"endpoints\":[{\"source\":\"local\",\"address\":\"nowhere\"}]}")
                .post("/api/devices").then().statusCode(400).body("field", equalTo("endpoints[0].address"));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM devices WHERE owner_id = $1", UUID.fromString(vpc)));
        assertNoOrphans();
    }

    @Test
    void deletingADeviceReturnsItsAddressesToThePool() {
        String user = Nexd.user("grace");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Response first = new Nexd().register(bearer, vpc, ",\"advertise_cidrs\":[\"10.20.0.0/24\"]");
        first.then().statusCode(201);
        String id = first.path("id");
        String v4 = first.path("ipv4_tunnel_ips[0].address");
        String v6 = first.path("ipv6_tunnel_ips[0].address");
        given().header("Authorization", bearer).delete("/api/devices/" + id)
                .then().statusCode(200).body("id", equalTo(id));
        given().header("Authorization", bearer).get("/api/devices/" + id).then().statusCode(404);
        assertNoOrphans();
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE cidr = '10.20.0.0/24'::cidr"));
        // the lowest free addresses are the ones just given back
        new Nexd().register(bearer, vpc, ",\"advertise_cidrs\":[\"10.20.0.0/24\"]").then().statusCode(201)
                .body("ipv4_tunnel_ips[0].address", equalTo(v4)).body("ipv6_tunnel_ips[0].address", equalTo(v6));
        assertNoOrphans();
    }

    @Test
    void aRegistrationRefusedByIpamHalfWayLeavesNothingBehind() {
        String user = Nexd.user("heidi");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        new Nexd().register(bearer, vpc, ",\"advertise_cidrs\":[\"10.99.0.0/16\"]").then().statusCode(201);
        long before = TestDb.count(db, "SELECT count(*) FROM ipam_addresses");
        // IPv4 and IPv6 are handed out, then IPAM refuses the overlapping prefix: both go back
        Nexd second = new Nexd();
        second.register(bearer, vpc, ",\"advertise_cidrs\":[\"192.168.50.0/24\",\"10.99.1.0/24\"]").then()
                .statusCode(400).body("field", equalTo("advertise_cidrs"));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM devices WHERE public_key = $1", second.publicKey));
        assertEquals(before, TestDb.count(db, "SELECT count(*) FROM ipam_addresses"), "no address left behind");
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE cidr = '192.168.50.0/24'::cidr"),
                "the prefix taken before the refusal is given back too");
        assertNoOrphans();
    }

    @Test
    void advertisedPrefixesFollowUpdates() {
        String user = Nexd.user("ivan");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        String id = new Nexd().register(bearer, vpc, ",\"advertise_cidrs\":[\"10.30.0.0/24\",\"0.0.0.0/0\"]")
                .then().statusCode(201).extract().path("id");
        given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"advertise_cidrs\":[\"10.31.0.0/24\",\"0.0.0.0/0\"]}").patch("/api/devices/" + id)
                .then().statusCode(200).body("advertise_cidrs", equalTo(List.of("10.31.0.0/24", "0.0.0.0/0")));
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE cidr = '10.30.0.0/24'::cidr"), "dropped prefix released");
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE cidr = '10.31.0.0/24'::cidr"), "new prefix taken");
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM ipam_prefixes WHERE cidr = '0.0.0.0/0'::cidr"), "default routes are not");
    }

    @Test
    void anotherTenantCannotSeeOrChangeADevice() {
        String owner = Nexd.user("judy");
        String stranger = TestTokens.bearer(Nexd.user("mallory"));
        String vpc = Nexd.defaultVpc(owner);
        Nexd agent = new Nexd();
        String id = agent.register(TestTokens.bearer(owner), vpc, "").then().statusCode(201).extract().path("id");
        given().header("Authorization", TestTokens.bearer(owner)).contentType(ContentType.JSON).body("{\"mtu\":1420}")
                .put("/api/devices/" + id + "/metadata/tuning").then().statusCode(200).body("value.mtu", equalTo(1420));

        given().header("Authorization", stranger).get("/api/devices/" + id).then().statusCode(404);
        given().header("Authorization", stranger).contentType(ContentType.JSON).body("{\"hostname\":\"pwned\"}")
                .patch("/api/devices/" + id).then().statusCode(404);
        given().header("Authorization", stranger).delete("/api/devices/" + id).then().statusCode(404);
        given().header("Authorization", stranger).get("/api/devices/" + id + "/metadata").then().statusCode(404);
        given().header("Authorization", stranger).get("/api/devices/" + id + "/metadata/tuning").then().statusCode(404);
        given().header("Authorization", stranger).contentType(ContentType.JSON).body("{}")
                .put("/api/devices/" + id + "/metadata/tuning").then().statusCode(404);
        given().header("Authorization", stranger).delete("/api/devices/" + id + "/metadata").then().statusCode(404);
        given().header("Authorization", stranger).get("/api/vpcs/" + vpc).then().statusCode(404);
        given().header("Authorization", stranger).get("/api/vpcs/" + vpc + "/metadata").then().statusCode(404);
        given().header("Authorization", stranger).get("/api/devices").then().statusCode(200).body("id", not(hasItem(id)));
        // another device's token cannot change this one
        Nexd other = new Nexd();
        String otherToken = other.open(other.register(TestTokens.bearer(owner), vpc, "").then().statusCode(201)
                .extract().path("bearer_token"));
        given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON)
                .body("{\"hostname\":\"pwned\"}").patch("/api/devices/" + id).then().statusCode(403);

        given().header("Authorization", TestTokens.bearer(owner)).get("/api/devices/" + id)
                .then().statusCode(200).body("hostname", not(equalTo("pwned")));
        given().header("Authorization", TestTokens.bearer(owner)).get("/api/vpcs/" + vpc + "/metadata")
                .then().statusCode(200).body("key", hasItem("tuning"));
        assertEquals(1, TestDb.count(db, "SELECT count(*) FROM device_metadata WHERE device_id = $1 AND deleted_at IS NULL",
                UUID.fromString(id)));
    }
}
