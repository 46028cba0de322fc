package io.nexodus.fn.gc;

import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.devices.DeviceRemoval;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Removes ephemeral devices (registered by an ephemeral key) that have been offline longer than the
 * inactivity period, exactly as their owner's delete would ({@link DeviceRemoval}: watchers see the
 * delete, IPAM gets the addresses back).
 *
 * <p>Offline means: no sign of the agent since the cut-off. A sign is its row's {@code last_seen_at}
 * (registration, a PATCH — nexd sends one whenever its endpoints change —, a watch stream opening or
 * closing) or the heartbeat of a watch stream it holds open ({@code device_sessions}, refreshed every
 * minute by the replica serving it; nexd keeps one open as long as it runs). The heartbeat is not copied
 * onto the device row: that would write every connected device every minute. A replica that died stops
 * heartbeating, so its streams stop counting after the period too.
 */
@ApplicationScoped
class InactiveEphemeralDevices {

    private static final Logger LOG = Logger.getLogger(InactiveEphemeralDevices.class);

    /** Devices per run: the rest wait for the next run rather than holding one transaction long. */
    static final int BATCH = 1000;

    /** $1 the cut-off. Locked and skipped if busy: a device being changed right now is not idle. */
    private static final String INACTIVE_SQL = "SELECT " + StoredDevice.COLUMNS + " FROM devices d"
            + " WHERE d.ephemeral AND d.deleted_at IS NULL AND d.last_seen_at < $1"
            + " AND NOT EXISTS (SELECT 1 FROM device_sessions s WHERE s.device_id = d.id AND s.heartbeat_at >= $1)"
            + " ORDER BY d.last_seen_at LIMIT " + BATCH + " FOR UPDATE OF d SKIP LOCKED";

    @Inject
    Pool db;

    @Inject
    DeviceRemoval removal;

    /** @return how many devices were removed */
    Uni<Integer> remove(OffsetDateTime seenBefore) {
        List<StoredDevice> removed = new ArrayList<>();
        return db.withTransaction(tx -> tx.preparedQuery(INACTIVE_SQL)
                        .execute(Tuple.of(seenBefore.withOffsetSameInstant(ZoneOffset.UTC)))
                        .flatMap(rows -> Multi.createFrom().iterable(rows).map(StoredDevice::from)
                                .onItem().transformToUniAndConcatenate(device -> removal.markDeleted(tx, device, "gc")
                                        .invoke(() -> removed.add(device)))
                                .collect().last()))
                .flatMap(committed -> Multi.createFrom().iterable(removed)
                        .onItem().transformToUniAndConcatenate(device -> removal.releaseAddresses(device)
                                // the delete stands; what IPAM still holds, reconciliation gives back after its grace
                                .onFailure().invoke(f -> LOG.warnf("addresses of removed device %s not released: %s",
                                        device.device().id(), f.getMessage()))
                                .onFailure().recoverWithNull())
                        .collect().last())
                .map(ignored -> removed.size());
    }
}
