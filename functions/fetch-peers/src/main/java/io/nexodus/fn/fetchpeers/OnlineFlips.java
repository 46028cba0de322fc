package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.store.Signals;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * transaction per VPC touched in that period (per {@link #MAX_BATCH} devices), whatever the number of devices. Each
 * write of a device draws a revision under its VPC's revision lock (the revision trigger's
 * {@code pg_advisory_xact_lock}), so one {@code UPDATE} per device, as before, made a fleet that opens at once queue
 * on that lock (1,000 agents: 1,000 updates waiting ~85 ms each) and a restart under load write tens of thousands of
 * flips (docs/benchmarks.md, "A fleet from its own process").
 *
 * <p>A queued device is not told "online" or "offline": each write sets {@code online} to whether the device holds a
 * live session (a {@code device_sessions} row with a fresh heartbeat, on any replica) and touches only the devices
 * where that differs. So a device that opened and closed within one period, or closed and reopened within its grace,
 * costs nothing and ends right; and two replicas writing the same device agree. The write bumps the devices' revisions
 * as every devices write does (a list and a later {@code gt_revision} see the flip) and signals the VPC's watchers
 * once (Nexodus signalled nothing for online flips; here one signal a period per VPC is cheap: one feed read).
 *
 * <p>Nothing queued is lost: a VPC whose write fails goes back to the queue for the next period (and is logged), and
 * a replica that stops writes what is queued before it goes ({@link #stop}).
 */
@ApplicationScoped
public class OnlineFlips {

    private static final Logger LOG = Logger.getLogger(OnlineFlips.class);

    /** How long a session's heartbeat counts (its replica refreshes it every minute while the stream is open). */
    static final String STALE = "3 minutes";

    /**
     * The rows of the batch, locked in id order before the write takes the VPC's revision lock: a single-device
     * writer (update-device, the devices function) locks its row first and the revision lock second, so a batch that
     * took the revision lock with its first row and then waited for another row would deadlock with it.
     * {@code NO KEY UPDATE}, as an {@code UPDATE} of non-key columns takes: it lets {@code device_sessions}
     * inserts (their foreign key's {@code KEY SHARE}) through.
     */
    static final String LOCK = "SELECT id FROM devices WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE";

    /**
     * Online = holds a live session. Only rows whose status differs are written (so only they draw a revision); a
     * deleted device is never marked online (it may be marked offline, as before). One signal for the VPC if anything
     * changed: a data-modifying {@code WITH} runs to its end whatever the outer query reads.
     */
    static final String WRITE = "WITH status AS (SELECT q.id, EXISTS (SELECT 1 FROM device_sessions s"
            + " WHERE s.device_id = q.id AND s.heartbeat_at > now() - interval '" + STALE + "') AS live"
            + " FROM unnest($1::uuid[]) AS q(id)),"
            + " flipped AS (UPDATE devices d SET online = status.live, online_at = now(), last_seen_at = now()"
            + " FROM status WHERE d.id = status.id AND d.online <> status.live"
            + " AND (d.deleted_at IS NULL OR NOT status.live) RETURNING d.id)"
            + " SELECT (SELECT count(*) FROM flipped) AS flipped,"
            + " (SELECT count(pg_notify($2, $3)) FROM (SELECT 1 FROM flipped LIMIT 1) AS any_flip) AS signalled";

    /**
     * At most this many devices per transaction: a whole VPC reconnecting (10,000 agents resumed in ~13 s after a
     * restart, ~800 a second) holds the VPC's revision lock, which its registrations and edits wait for, for one
     * batch at a time, not for all of it.
     */
    static final int MAX_BATCH = 1000;

    /** Devices of one VPC written in one transaction. */
    private record Batch(UUID vpcId, List<UUID> devices) {
    }

    @Inject
    Pool db;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "nexodus.watch.online-flush", defaultValue = "PT1S")
    Duration period;

    /** Devices whose status may have changed, with their VPC: written at the next flush. Guarded by {@code this}. */
    private Map<UUID, UUID> queued = new HashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    /** The periodic flush in flight, if any (done when none): set on the timer's thread, awaited by {@link #stop}. */
    private volatile CompletableFuture<Void> periodic = CompletableFuture.completedFuture(null);

    /** The status of {@code deviceId} (of {@code vpcId}) may have changed: write it at the next flush. */
    void queue(UUID deviceId, UUID vpcId) {
        synchronized (this) {
            queued.put(deviceId, vpcId);
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

    /** Writes everything queued, VPC after VPC; never fails (a failed VPC goes back to the queue). */
    Uni<Void> flush() {
        Map<UUID, List<UUID>> byVpc = new HashMap<>();
        drain().forEach((device, vpc) -> byVpc.computeIfAbsent(vpc, v -> new ArrayList<>()).add(device));
        List<Batch> batches = new ArrayList<>();
        byVpc.forEach((vpc, devices) -> {
            for (int from = 0; from < devices.size(); from += MAX_BATCH) {
                batches.add(new Batch(vpc, devices.subList(from, Math.min(devices.size(), from + MAX_BATCH))));
            }
        });
        // a Multi, not a chain of flatMaps: thousands of VPCs would make a chain as deep to subscribe
        return Multi.createFrom().iterable(batches)
                .onItem().transformToUniAndConcatenate(batch -> writeOrRequeue(batch.vpcId(), batch.devices()))
                .collect().last().replaceWithVoid();
    }

    /** @return whether the VPC's devices were written (else they are queued again) */
    private Uni<Boolean> writeOrRequeue(UUID vpcId, List<UUID> devices) {
        return write(vpcId, devices).replaceWith(true).onFailure().recoverWithItem(failure -> {
            requeue(vpcId, devices);
            LOG.warnf("online status of %d device(s) of VPC %s not written, retried in %s: %s",
                    devices.size(), vpcId, period, failure.getMessage());
            return false;
        });
    }

    /** One VPC's queued devices in one transaction: at most one revision-lock wait and one signal. */
    private Uni<Void> write(UUID vpcId, List<UUID> devices) {
        UUID[] ids = devices.toArray(UUID[]::new);
        return db.withTransaction(tx -> tx.preparedQuery(LOCK).execute(Tuple.of(ids))
                .flatMap(locked -> tx.preparedQuery(WRITE).execute(Tuple.of(ids, Signals.CHANNEL, Signals.devices(vpcId)))))
                .replaceWithVoid();
    }

    private synchronized Map<UUID, UUID> drain() {
        Map<UUID, UUID> all = queued;
        queued = new HashMap<>();
        return all;
    }

    private synchronized void requeue(UUID vpcId, List<UUID> devices) {
        devices.forEach(device -> queued.putIfAbsent(device, vpcId));
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
