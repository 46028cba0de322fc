package io.nexodus.shared.devices;

import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.model.Vpc;
import io.nexodus.shared.store.Signals;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Deleting a device, in its two steps, the same whoever deletes it (its owner through {@code devices},
 * {@code gc} for an inactive ephemeral device): a soft delete that watchers see as a delete event and that
 * frees the public key, committed with the signal that wakes them; then its addresses and advertised
 * prefixes go back to IPAM. Addresses are only given back once the delete has committed, so IPAM never
 * hands out an address a live device still holds. Metadata rows stay, as in Nexodus.
 */
@ApplicationScoped
public class DeviceRemoval {

    @Inject
    Pool db;

    @Inject
    DeviceAddresses addresses;

    @Inject
    Outbox outbox;

    /**
     * Step 1, inside the caller's transaction, on a device it has locked ({@code FOR UPDATE}); {@code function}
     * is who removes it (the source of its {@code device.deleted} event).
     */
    public Uni<Void> markDeleted(SqlClient tx, StoredDevice device, String function) {
        return tx.preparedQuery("UPDATE devices SET deleted_at = now() WHERE id = $1").execute(Tuple.of(device.device().id()))
                .call(ignored -> Signals.notify(tx, Signals.devices(device.device().vpcId())))
                .call(ignored -> outbox.record(tx, function, new Change(EventType.DEVICE_DELETED, device.device().id(),
                        device.organizationId(), device.device().withBearerToken(null))))
                .replaceWithVoid();
    }

    /** Step 2, after step 1 committed. */
    public Uni<Void> releaseAddresses(StoredDevice device) {
        return db.preparedQuery("SELECT " + Vpc.COLUMNS + " FROM vpcs v WHERE v.id = $1")
                .execute(Tuple.of(device.device().vpcId()))
                .flatMap(rows -> addresses.releaseAll(Vpc.from(rows.iterator().next()), device.device()));
    }
}
