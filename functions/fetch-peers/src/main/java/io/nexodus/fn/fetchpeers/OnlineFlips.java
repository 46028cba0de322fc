package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.device.DeviceSessions;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The online/offline writes of this replica, made together every {@code nexodus.watch.online-flush} (1 s): one
 * transaction per {@link #MAX_BATCH} devices queued in that period, whatever their number or VPCs. One {@code UPDATE}
 * per device, as before, made a fleet that opens at once write 1,000 rows one by one, and a restart under load write
 * tens of thousands of flips (docs/benchmarks.md, "A fleet from its own process").
 *
 * <p>A queued device is not told "online" or "offline": each write sets {@code online} to whether the device holds a
 * live session ({@link DeviceSessions}: a row with a fresh heartbeat, on any replica) and touches only the devices
 * where that differs. So a device that opened and closed within one period, or closed and reopened within its grace,
 * costs nothing and ends right; and two replicas writing the same device agree.
 *
 * <p>Presence is not a change the device's peers watch (migration V13): a write of {@code online}, {@code online_at}
 * and {@code last_seen_at} alone keeps the row's revision, takes no VPC revision lock and signals nobody. Watches and
 * {@code gt_revision} deltas carry a device's presence as it is at its next real change; lists show it as it is.
 * (Nexodus drew a revision per flip, so N agents opening at once were N² events: docs/compatibility.md.)
 *
 * <p>Nothing queued is lost: a batch whose write fails goes back to the queue for the next period (and is logged),
 * and a replica that stops writes what is queued before it goes ({@link #stop}).
 */
@ApplicationScoped
public class OnlineFlips {

    private static final Logger LOG = Logger.getLogger(OnlineFlips.class);

    /**
     * The rows of the batch, locked in id order before the write: two replicas writing overlapping batches, or a
     * batch and a single-device writer (update-device, the devices function), then wait for each other instead of
     * deadlocking on rows taken in different orders. {@code NO KEY UPDATE}, as an {@code UPDATE} of non-key columns
     * takes: it lets {@code device_sessions} inserts (their foreign key's {@code KEY SHARE}) through.
     */
    static final String LOCK = "SELECT id FROM devices WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE";

    /**
     * Online = holds a live session. Only rows whose status differs are written; a deleted device is never marked
     * online (it may be marked offline, as before).
     */
    static final String WRITE = "UPDATE devices d SET online = status.live, online_at = now(), last_seen_at = now()"
            + " FROM (SELECT q.id, " + DeviceSessions.isHeld("q.id") + " AS live FROM unnest($1::uuid[]) AS q(id)) AS status"
            + " WHERE d.id = status.id AND d.online <> status.live AND (d.deleted_at IS NULL OR NOT status.live)";

    /**
     * At most this many devices per transaction: a fleet reconnecting (10,000 agents resumed in ~13 s after a
     * restart, ~800 a second) writes in bounded transactions, each holding its rows' locks (which update-device's
     * writes of the same devices wait for) for one batch, not for all of it.
     */
    static final int MAX_BATCH = 1000;

    @Inject
    Pool db;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "nexodus.watch.online-flush", defaultValue = "PT1S")
    Duration period;

    /** Devices whose status may have changed: written at the next flush. Guarded by {@code this}. */
    private Set<UUID> queued = new HashSet<>();
    private final AtomicBoolean started = new AtomicBoolean();
    /** The periodic flush in flight, if any (done when none): set on the timer's thread, awaited by {@link #stop}. */
    private volatile CompletableFuture<Void> periodic = CompletableFuture.completedFuture(null);

    /** The status of {@code deviceId} may have changed: write it at the next flush. */
    void queue(UUID deviceId) {
        synchronized (this) {
            queued.add(deviceId);
        }
        if (started.compareAndSet(false, true)) {
            vertx.setPeriodic(period.toMillis(), t -> tick());
        }
    }

    /** The periodic flush; one still running when the next is due is not doubled (what it left waits a period). */
    private void tick() {
        if (periodic.isDone()) {
            periodic = flush().subscribeAsCompletionStage();
        }
    }

    /** Writes everything queued, batch after batch; never fails (a failed batch goes back to the queue). */
    Uni<Void> flush() {
        List<UUID> devices = new ArrayList<>(drain());
        List<List<UUID>> batches = new ArrayList<>();
        for (int from = 0; from < devices.size(); from += MAX_BATCH) {
            batches.add(devices.subList(from, Math.min(devices.size(), from + MAX_BATCH)));
        }
        // a Multi, not a chain of flatMaps: a long queue would make a chain as deep to subscribe
        return Multi.createFrom().iterable(batches)
                .onItem().transformToUniAndConcatenate(this::writeOrRequeue)
                .collect().last().replaceWithVoid();
    }

    /** @return whether the batch was written (else it is queued again) */
    private Uni<Boolean> writeOrRequeue(List<UUID> devices) {
        return write(devices).replaceWith(true).onFailure().recoverWithItem(failure -> {
            requeue(devices);
            LOG.warnf("online status of %d device(s) not written, retried in %s: %s", devices.size(), period,
                    failure.getMessage());
            return false;
        });
    }

    /** One batch in one transaction. */
    private Uni<Void> write(List<UUID> devices) {
        UUID[] ids = devices.toArray(UUID[]::new);
        return db.withTransaction(tx -> tx.preparedQuery(LOCK).execute(Tuple.of(ids))
                .flatMap(locked -> tx.preparedQuery(WRITE).execute(Tuple.of(ids))))
                .replaceWithVoid();
    }

    private synchronized Set<UUID> drain() {
        Set<UUID> all = queued;
        queued = new HashSet<>();
        return all;
    }

    private synchronized void requeue(List<UUID> devices) {
        queued.addAll(devices);
    }

    /**
     * A replica that stops writes what it queued: the devices that came online here would otherwise stay offline
     * until their next stream elsewhere closes and reopens. ({@code ShutdownEvent} comes before the datasource
     * closes; a device still in its offline grace is not queued yet and is not written: most of a stopping replica's
     * devices are reconnecting to another one right then.)
     */
    void stop(@Observes ShutdownEvent event) {
        if (Context.isOnEventLoopThread()) { // not where Quarkus stops; but never block an event loop
            flush().subscribe().with(ignored -> { });
            return;
        }
        try {
            periodic.get(10, TimeUnit.SECONDS); // what a periodic flush took is written, or queued again, first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("a flush of online status was still running at shutdown: %s", e.getMessage());
        }
        try {
            flush().await().atMost(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("online status queued at shutdown not written: %s", e.getMessage());
        }
    }
}
