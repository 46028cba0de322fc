package io.nexodus.tests;

import io.vertx.mutiny.sqlclient.Pool;

/**
 * Devices against IPAM, read from the one database both live in (the IPAM server under test stores its
 * allocations in {@code ipam_addresses}): what a fault may never leave behind.
 */
record AddressLedger(long liveDevices, long allocations, long devicesWithoutAddresses, long addressesWithoutDevice) {

    static AddressLedger read(Pool db) {
        return new AddressLedger(
                count(db, "SELECT count(*) FROM devices WHERE deleted_at IS NULL"),
                count(db, "SELECT count(*) FROM ipam_addresses"),
                // a live device whose addresses IPAM does not hold: IPAM could hand them out twice
                count(db, "SELECT count(*) FROM devices d WHERE d.deleted_at IS NULL AND (SELECT count(*)"
                        + " FROM ipam_addresses a WHERE host(a.address) IN (d.ipv4_tunnel_ips->0->>'address',"
                        + " d.ipv6_tunnel_ips->0->>'address')) <> 2"),
                count(db, "SELECT count(*) FROM ipam_addresses a WHERE NOT EXISTS (SELECT 1 FROM devices d"
                        + " WHERE d.deleted_at IS NULL AND (d.ipv4_tunnel_ips->0->>'address' = host(a.address)"
                        + " OR d.ipv6_tunnel_ips->0->>'address' = host(a.address)))"));
    }

    private static long count(Pool db, String sql) {
        return db.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }

    @Override
    public String toString() {
        return liveDevices + " live devices, " + allocations + " IPAM allocations; devices without addresses "
                + devicesWithoutAddresses + ", addresses without a device " + addressesWithoutDevice;
    }
}
