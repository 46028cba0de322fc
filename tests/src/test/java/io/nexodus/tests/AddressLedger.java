package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.mutiny.sqlclient.Pool;
import java.util.Set;
import java.util.TreeSet;

/**
 * Devices against IPAM, read from the one database both live in (the IPAM server under test stores its
 * allocations in {@code ipam_addresses}): what a fault may never leave behind.
 */
record AddressLedger(long liveDevices, long allocations, long devicesWithoutAddresses, long addressesWithoutDevice) {

    /** A live device whose addresses IPAM does not both hold (IPAM could hand them out twice): from {@code devices d}. */
    private static final String DEVICE_WITHOUT_ITS_ADDRESSES = " FROM devices d WHERE d.deleted_at IS NULL AND (SELECT"
            + " count(*) FROM ipam_addresses a WHERE host(a.address) IN (d.ipv4_tunnel_ips->0->>'address',"
            + " d.ipv6_tunnel_ips->0->>'address')) <> 2";

    /** An address IPAM holds for no live device: from {@code ipam_addresses a}. */
    private static final String ADDRESS_WITHOUT_ITS_DEVICE = " FROM ipam_addresses a WHERE NOT EXISTS (SELECT 1 FROM"
            + " devices d WHERE d.deleted_at IS NULL AND (d.ipv4_tunnel_ips->0->>'address' = host(a.address)"
            + " OR d.ipv6_tunnel_ips->0->>'address' = host(a.address)))";

    static AddressLedger read(Pool db) {
        return new AddressLedger(
                count(db, "SELECT count(*) FROM devices WHERE deleted_at IS NULL"),
                count(db, "SELECT count(*) FROM ipam_addresses"),
                count(db, "SELECT count(*)" + DEVICE_WITHOUT_ITS_ADDRESSES),
                count(db, "SELECT count(*)" + ADDRESS_WITHOUT_ITS_DEVICE));
    }

    /**
     * What is astray, by name: each live device that does not hold both its addresses in IPAM ({@code device <id>})
     * and each address IPAM holds for no live device ({@code address <ip>}). Taken before and after a test, the
     * difference is what that test left astray, whatever earlier tests of the class left.
     */
    static Set<String> strays(Pool db) {
        Set<String> strays = new TreeSet<>();
        db.query("SELECT 'device ' || d.id" + DEVICE_WITHOUT_ITS_ADDRESSES
                        + " UNION ALL SELECT 'address ' || host(a.address)" + ADDRESS_WITHOUT_ITS_DEVICE)
                .execute().await().indefinitely().forEach(row -> strays.add(row.getString(0)));
        return strays;
    }

    /** What is astray now and was not in {@code before} (a {@link #strays} of earlier). */
    static Set<String> strayedSince(Pool db, Set<String> before) {
        Set<String> now = strays(db);
        now.removeAll(before);
        return now;
    }

    /**
     * What a fault may leave before gc runs: never a device without its addresses. Addresses without a
     * device may remain where an answer was lost after IPAM committed (the caller, failed or retried, never
     * learnt that address); gc gives them back ({@link #reconciled}).
     */
    void assertNoDeviceWithoutAddresses() {
        assertEquals(0, devicesWithoutAddresses, "no device without addresses");
        assertEquals(2 * liveDevices + addressesWithoutDevice, allocations);
    }

    /**
     * Runs gc's reconciliation as if its grace period had passed (call it when nothing is in flight) and
     * checks IPAM and devices agree exactly.
     */
    static AddressLedger reconciled(Pool db) {
        sweepAfterTheGracePeriod(db);
        AddressLedger after = read(db);
        assertEquals(0, after.addressesWithoutDevice, "no address without a device after reconciliation");
        assertEquals(0, after.devicesWithoutAddresses, "no device without addresses after reconciliation");
        assertEquals(2 * after.liveDevices, after.allocations);
        return after;
    }

    /**
     * One sweep records what no device holds; the grace period (configuration only, 10 minutes) is then
     * made to have passed by ageing those records, and a second sweep gives them back.
     */
    static void sweepAfterTheGracePeriod(Pool db) {
        sweep();
        db.query("UPDATE ipam_orphans SET first_seen = first_seen - interval '1 day'").execute().await().indefinitely();
        sweep();
    }

    /** A gc run as the cluster's schedule starts it: {@code GET /private/gc} with the service token. */
    static void sweep() {
        given().header("Authorization", io.nexodus.testing.TestTokens.serviceBearer()).get("/private/gc")
                .then().statusCode(204);
    }

    private static long count(Pool db, String sql) {
        return io.nexodus.testing.TestDb.count(db, sql);
    }

    @Override
    public String toString() {
        return liveDevices + " live devices, " + allocations + " IPAM allocations; devices without addresses "
                + devicesWithoutAddresses + ", addresses without a device " + addressesWithoutDevice;
    }
}
