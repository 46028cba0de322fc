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
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Online status (Nexodus's internal/handlers/online_tracker.go) without Redis: a device is online while at least one
 * watch stream of it is open on any replica. Each open stream is a {@code device_sessions} row, written before the
 * stream is reported open (it is what every replica counts); this replica refreshes the heartbeat of its rows every
 * minute, so a replica that died stops counting after a few minutes. The {@code devices} row itself is written by
 * {@link OnlineFlips}, in batches: at the next flush after a stream opens, and after
 * {@code nexodus.watch.offline-grace} once a stream closes, so a reconnect does not flap it. Going online and offline
 * also stamps {@code last_seen_at}; in between, the heartbeat of an open session says the device is there (gc keeps
 * an ephemeral device while either is recent).
 */
@ApplicationScoped
public class OnlineTracker {

    private static final Logger LOG = Logger.getLogger(OnlineTracker.class);

    /** One open stream holding a device online. */
    record Session(UUID streamId, UUID deviceId) {
    }

    /** This process among the replicas. */
    final String replica = UUID.randomUUID().toString();

    @Inject
    Pool db;

    @Inject
    Vertx vertx;

    @Inject
    OnlineFlips flips;

    /**
     * How long after its last stream closes a device is marked offline, unless a stream of it opens again meanwhile.
     * 30 s, not Nexodus's 5 s: nexd reopens at once after a clean end, but after an error only at its next 5 s tick,
     * and under load (a rollout moving a fleet, a pool saturated) a reopen can fail more than once; every flap is two
     * writes and a status that blinks in the console (at 100,000 devices a restart under load wrote ~29,000 offline
     * and ~29,000 online flips with 5 s). A device that is really gone shows online 30 s longer.
     */
    @ConfigProperty(name = "nexodus.watch.offline-grace", defaultValue = "PT30S")
    Duration grace;

    private final AtomicBoolean heartbeating = new AtomicBoolean();

    /** Writes the stream's session row; the device is marked online at the next flush. */
    Uni<Session> opened(UUID streamId, UUID deviceId) {
        startHeartbeat();
        return db.preparedQuery("INSERT INTO device_sessions (stream_id, device_id, replica) VALUES ($1, $2, $3)")
                .execute(Tuple.of(streamId, deviceId, replica))
                .map(inserted -> {
                    flips.queue(deviceId);
                    return new Session(streamId, deviceId);
                });
    }

    /** Drops the stream's session row; after the grace, the device is written again (offline if nothing holds it). */
    void closed(Session session) {
        db.preparedQuery("DELETE FROM device_sessions WHERE stream_id = $1").execute(Tuple.of(session.streamId()))
                .subscribe().with(ignored -> vertx.setTimer(Math.max(1, grace.toMillis()),
                                t -> flips.queue(session.deviceId())),
                        f -> LOG.warnf("session %s not closed: %s", session.streamId(), f.getMessage()));
    }

    private void startHeartbeat() {
        if (heartbeating.compareAndSet(false, true)) {
            vertx.setPeriodic(60_000, t -> db.preparedQuery("UPDATE device_sessions SET heartbeat_at = now()"
                    + " WHERE replica = $1").execute(Tuple.of(replica)).subscribe().with(ignored -> { }, f -> { }));
        }
    }
}
