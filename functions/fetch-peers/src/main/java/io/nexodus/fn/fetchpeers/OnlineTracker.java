package io.nexodus.fn.fetchpeers;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Online status (Nexodus's internal/handlers/online_tracker.go) without Redis: a device is online while at least one
 * watch stream of it is open on any replica. Each open stream is a {@code device_sessions} row; this replica
 * refreshes the heartbeat of its rows every minute, so a replica that died stops counting after a few minutes. A
 * closing stream waits a grace period before marking the device offline, so a reconnect does not flap it. Going
 * online and offline also stamps {@code last_seen_at}; in between, the heartbeat of an open session says the device
 * is there (gc keeps an ephemeral device while either is recent).
 */
@ApplicationScoped
public class OnlineTracker {

    private static final Logger LOG = Logger.getLogger(OnlineTracker.class);
    static final Duration GRACE = Duration.ofSeconds(5);
    static final String STALE = "3 minutes";

    /** This process among the replicas. */
    final String replica = UUID.randomUUID().toString();

    @Inject
    Pool db;

    @Inject
    Vertx vertx;

    private final AtomicBoolean heartbeating = new AtomicBoolean();

    Uni<Void> opened(UUID streamId, UUID deviceId) {
        startHeartbeat();
        return db.withTransaction(conn -> conn.preparedQuery("INSERT INTO device_sessions (stream_id, device_id, replica)"
                        + " VALUES ($1, $2, $3)").execute(Tuple.of(streamId, deviceId, replica))
                .flatMap(ignored -> conn.preparedQuery("UPDATE devices SET online = true, online_at = now(), last_seen_at = now()"
                        + " WHERE id = $1 AND NOT online AND deleted_at IS NULL").execute(Tuple.of(deviceId))))
                .replaceWithVoid();
    }

    void closed(UUID streamId, UUID deviceId) {
        db.preparedQuery("DELETE FROM device_sessions WHERE stream_id = $1").execute(Tuple.of(streamId))
                .subscribe().with(ignored -> vertx.setTimer(GRACE.toMillis(), t -> markOfflineIfUnwatched(deviceId)),
                        f -> LOG.warnf("session %s not closed: %s", streamId, f.getMessage()));
    }

    private void markOfflineIfUnwatched(UUID deviceId) {
        db.preparedQuery("UPDATE devices SET online = false, online_at = now(), last_seen_at = now()"
                        + " WHERE id = $1 AND online"
                        + " AND NOT EXISTS (SELECT 1 FROM device_sessions WHERE device_id = $1"
                        + " AND heartbeat_at > now() - interval '" + STALE + "')")
                .execute(Tuple.of(deviceId))
                .subscribe().with(ignored -> { }, f -> LOG.warnf("device %s not marked offline: %s", deviceId, f.getMessage()));
    }

    private void startHeartbeat() {
        if (heartbeating.compareAndSet(false, true)) {
            vertx.setPeriodic(60_000, t -> db.preparedQuery("UPDATE device_sessions SET heartbeat_at = now()"
                    + " WHERE replica = $1").execute(Tuple.of(replica)).subscribe().with(ignored -> { }, f -> { }));
        }
    }
}
