package io.nexodus.testing;

import io.nexodus.shared.devices.DeviceAddresses;
import io.nexodus.shared.model.Vpc;
import io.quarkus.arc.Arc;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Devices holding real addresses, for the tests of functions whose application runs the IPAM server and has
 * shared/devices ({@code devices}, {@code update-device}, {@code gc}): the addresses and advertised prefixes are
 * taken from IPAM exactly as a registration takes them ({@link DeviceAddresses#allocate}), then the row is
 * written ({@link TestDevices}). IPAM and the devices then agree, as after a real registration.
 */
public final class TestDeviceAddresses {

    private TestDeviceAddresses() {
    }

    /** An ordinary device of {@code owner} in {@code vpc}, advertising nothing. */
    public static TestDevices.Seeded register(Pool db, String owner, String vpc) {
        return register(db, owner, vpc, List.of(), false);
    }

    public static TestDevices.Seeded register(Pool db, String owner, String vpc, List<String> advertised, boolean ephemeral) {
        Vpc target = Vpc.from(db.preparedQuery("SELECT " + Vpc.COLUMNS + " FROM vpcs v WHERE v.id = $1")
                .execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely().iterator().next());
        DeviceAddresses.Allocation allocation = Arc.container().instance(DeviceAddresses.class).get()
                .allocate(target, null, advertised).await().atMost(Duration.ofSeconds(30));
        return TestDevices.insert(db, owner, vpc, allocation.ipv4(), allocation.ipv6(), advertised, ephemeral);
    }
}
