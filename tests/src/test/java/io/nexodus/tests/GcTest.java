package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.IpamNamespaces;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The {@code gc} function on the real stack: tombstones older than the retention are hard-deleted and
 * younger ones kept; what IPAM holds that no live device does is given back once it has stayed so for
 * the grace period, and never a live device's addresses.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class GcTest {

    @Inject
    Pool db;

    @Inject
    IpamClient ipam;

    private long count(String sql, Object... args) {
        return db.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void tombstonesOlderThanTheRetentionGoAndYoungerOnesStay() {
        String user = Nexd.user("gc");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String id = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");
        given().header("Authorization", bearer).delete("/api/devices/" + id).then().statusCode(200);
        java.util.UUID device = java.util.UUID.fromString(id);

        given().get("/private/gc?retention=24h").then().statusCode(204);
        assertEquals(1, count("SELECT count(*) FROM devices WHERE id = $1", device), "a fresh tombstone stays");

        db.preparedQuery("UPDATE devices SET deleted_at = now() - interval '2 hours' WHERE id = $1")
                .execute(Tuple.of(device)).await().indefinitely();
        given().get("/private/gc?retention=1h30m").then().statusCode(204);
        assertEquals(0, count("SELECT count(*) FROM devices WHERE id = $1", device), "an old tombstone goes");
        assertEquals(1, count("SELECT count(*) FROM vpcs WHERE id = $1", java.util.UUID.fromString(vpc)), "live rows stay");

        given().get("/private/gc?retention=tomorrow").then().statusCode(400).body("field", equalTo("retention"));
        given().get("/private/gc?ipam_grace=-5m").then().statusCode(400).body("field", equalTo("ipam_grace"));
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
        long allocations = count("SELECT count(*) FROM ipam_addresses");
        assertEquals(1, AddressLedger.read(db).addressesWithoutDevice(), "one address without a device: " + lost);

        // seen, not yet given back: it may belong to a registration still in flight
        given().get("/private/gc?ipam_grace=1h").then().statusCode(204);
        assertEquals(2, count("SELECT count(*) FROM ipam_orphans"), "the address and the prefix are remembered");
        assertEquals(allocations, count("SELECT count(*) FROM ipam_addresses"));

        given().get("/private/gc?ipam_grace=0s").then().statusCode(204);
        AddressLedger ledger = AddressLedger.read(db);
        assertEquals(0, ledger.addressesWithoutDevice(), "the lost address is back in the pool");
        assertEquals(0, ledger.devicesWithoutAddresses(), "no live device lost an address");
        assertEquals(2 * ledger.liveDevices(), ledger.allocations());
        assertEquals(0, count("SELECT count(*) FROM ipam_prefixes WHERE cidr = '10.88.0.0/24'::cidr"), "the lost prefix is gone");
        assertEquals(1, count("SELECT count(*) FROM ipam_prefixes WHERE cidr = '10.77.0.0/24'::cidr"), "an advertised one stays");
        assertEquals(0, count("SELECT count(*) FROM ipam_orphans"), "nothing left to remember");
    }

    @Test
    void theFunqyAndCloudEventBindingsRunWithTheConfiguredPolicy() {
        String bearer = TestTokens.bearer(Nexd.user("gc-funqy"));
        given().header("Authorization", bearer).contentType("application/json").body("{}").post("/gc")
                .then().statusCode(200).body("ipam_released", equalTo(0));
        given().header("Authorization", bearer).contentType("application/json")
                .header("ce-id", java.util.UUID.randomUUID().toString()).header("ce-specversion", "1.0")
                .header("ce-source", "/test/schedule").header("ce-type", "io.nexodus.gc.run")
                .body("{}").post("/")
                .then().statusCode(200).header("ce-type", "io.nexodus.gc.done");
        given().contentType("application/json").post("/gc").then().statusCode(401);
    }
}
