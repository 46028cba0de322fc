package io.nexodus.fn.gc;

import io.nexodus.shared.device.DeviceSessions;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Marks offline the devices that show online while no watch stream holds them ({@link DeviceSessions}: no session with
 * a fresh heartbeat on any replica). fetch-peers writes a device offline a grace after its last stream closes
 * ({@code OnlineFlips}); a replica that died, or stopped while the device was in its grace, never does, and the device
 * would show online for good. Since migration V13 such a write is presence, not a change: it draws no revision and
 * wakes no watcher, so this is one {@code UPDATE} and nobody's event. A device reconnecting at that very moment (inside
 * its grace, its new stream not yet written) reads offline until that stream's flush, a second later.
 */
@ApplicationScoped
class StaleOnlineStatus {

    /** Devices per run, locked and skipped if busy: the rest wait for the next run rather than one long transaction. */
    static final int BATCH = 10_000;

    private static final String SQL = "WITH stale AS (SELECT d.id FROM devices d WHERE d.online AND NOT "
            + DeviceSessions.isHeld("d.id") + " LIMIT " + BATCH + " FOR NO KEY UPDATE OF d SKIP LOCKED)"
            + " UPDATE devices d SET online = false, online_at = now() FROM stale WHERE d.id = stale.id";

    @Inject
    Pool db;

    /** @return how many devices were marked offline */
    Uni<Integer> markOffline() {
        return db.query(SQL).execute().map(updated -> updated.rowCount());
    }
}
