package io.nexodus.shared.events;

import io.nexodus.shared.events.EventSink.Outcome;
import io.nexodus.shared.events.EventSink.Stored;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends pending outbox rows to the sink, oldest first, and marks what the sink took. Per subject the
 * order holds: a subject whose event was refused keeps its later events back until that one goes, and
 * an unreachable sink ends the batch (every later send would fail the same way).
 *
 * <p>One relay at a time in the whole cluster (a transaction-scoped advisory lock), so two replicas never
 * send one subject's events out of order; a replica that finds the lock taken waits for it rather than
 * leave its fresh rows behind. Delivery is at least once: a relay that dies after the sink took an event
 * but before its commit sends it again, with the same {@code id}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    /** The advisory lock key of the relay (any constant no other code uses). */
    private static final long LOCK = 0x6e65786f_6576L;

    static final int BATCH = 200;

    @Inject
    Pool db;

    @Inject
    EventSink sink;

    @Inject
    Vertx vertx;

    /**
     * The least time from one round's start to the next one's. A round costs the same five statements
     * (begin, lock, read, mark, commit) for one event as for two hundred; under load, rounds back to back
     * carried one or two events each, so this spacing is what batches them (each round takes what came in
     * meanwhile) at the price of at most this much delivery delay. A lone event goes out at once.
     */
    @ConfigProperty(name = "nexodus.events.relay-interval")
    Duration interval;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    /** When the last round started ({@link System#nanoTime}); long ago at first. */
    private volatile long lastRoundStart = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

    /** What a drain did. */
    public record Drained(int delivered, int pending) {
    }

    public boolean hasSink() {
        return sink.configured();
    }

    /** Starts a drain in the background (or asks the running one for another round); never blocks. */
    public void kick() {
        if (!sink.configured()) {
            return;
        }
        again.set(true);
        if (running.compareAndSet(false, true)) {
            nextRound();
        }
    }

    /** Starts a round (the caller holds {@code running}) once {@link #interval} has passed since the last. */
    private void nextRound() {
        long waitMs = interval.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRoundStart);
        if (waitMs > 0) {
            vertx.setTimer(waitMs, timer -> loop());
        } else {
            loop();
        }
    }

    private void loop() {
        again.set(false);
        lastRoundStart = System.nanoTime();
        drain().subscribe().with(done -> finishRound(), failure -> {
            LOG.warnf("outbox relay: %s (gc's sweep will retry)", failure.getMessage());
            finishRound();
        });
    }

    private void finishRound() {
        running.set(false);
        if (again.get() && running.compareAndSet(false, true)) {
            nextRound();
        }
    }

    /** Sends batches until nothing more can go now. */
    public Uni<Drained> drain() {
        if (!sink.configured()) {
            return Uni.createFrom().item(new Drained(0, 0));
        }
        return drainFrom(0);
    }

    private Uni<Drained> drainFrom(int deliveredSoFar) {
        return db.withTransaction(this::oneBatch).flatMap(batch -> {
            int delivered = deliveredSoFar + batch.delivered();
            // a full batch that all went: there may be more
            return batch.pending() == BATCH && batch.delivered() == BATCH ? drainFrom(delivered)
                    : Uni.createFrom().item(new Drained(delivered, batch.pending() - batch.delivered()));
        });
    }

    private Uni<Drained> oneBatch(SqlConnection conn) {
        // the lock's timeout and the lock in one round trip (the target list is evaluated left to right)
        return conn.preparedQuery("SELECT set_config('lock_timeout', '30s', true), pg_advisory_xact_lock($1)")
                .execute(Tuple.of(LOCK))
                .flatMap(ignored -> conn.preparedQuery("SELECT id, type, source, subject, time, data::text AS data, traceparent"
                        + " FROM events WHERE pending ORDER BY seq LIMIT $1").execute(Tuple.of(BATCH)))
                .flatMap(rows -> sendInOrder(rows)
                        .flatMap(delivered -> delivered.isEmpty() ? Uni.createFrom().item(0)
                                : conn.preparedQuery("UPDATE events SET pending = false, delivered_at = now()"
                                        + " WHERE id = ANY ($1)").execute(Tuple.of(delivered.toArray(UUID[]::new)))
                                        .map(RowSet::rowCount))
                        .map(delivered -> new Drained(delivered, rows.size())));
    }

    /** One at a time, in seq order; returns the ids the sink took. */
    private Uni<List<UUID>> sendInOrder(RowSet<Row> rows) {
        List<UUID> delivered = new ArrayList<>();
        Set<String> heldBack = new HashSet<>();
        AtomicBoolean unreachable = new AtomicBoolean();
        List<Row> all = new ArrayList<>();
        rows.forEach(all::add);
        return Multi.createFrom().iterable(all)
                .onItem().transformToUniAndConcatenate(row -> {
                    String subject = row.getString("subject");
                    if (unreachable.get() || heldBack.contains(subject)) {
                        return Uni.createFrom().voidItem();
                    }
                    Stored event = new Stored(row.getUUID("id").toString(), row.getString("type"),
                            row.getString("source"), subject, row.getOffsetDateTime("time"), row.getString("data"),
                            row.getString("traceparent"));
                    return Uni.createFrom().completionStage(sink.send(event)).invoke(outcome -> {
                        switch (outcome) {
                            case DELIVERED -> delivered.add(row.getUUID("id"));
                            case REFUSED -> {
                                LOG.warnf("sink refused event %s (%s); later events of %s wait", event.id(),
                                        event.type(), subject);
                                heldBack.add(subject);
                            }
                            case UNREACHABLE -> unreachable.set(true);
                        }
                    }).replaceWithVoid();
                })
                .collect().last()
                .map(ignored -> delivered);
    }
}
