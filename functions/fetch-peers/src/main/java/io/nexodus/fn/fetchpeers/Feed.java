package io.nexodus.fn.fetchpeers;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The shared reader of one {@link WatchSpec} on this replica. However many streams follow the spec,
 * a change costs one query: on a signal the feed reads everything after the lowest cursor among its
 * followers and hands each follower what is newer than its own cursor, in revision order. Signals that
 * arrive while a read is running are folded into one more read.
 */
final class Feed {

    static final int PAGE = 1000;

    /** One stream's interest in this feed. */
    interface Follower {
        void deliver(List<FeedRow> rows);

        void fail(Throwable failure);
    }

    private final WatchSpec spec;
    private final Pool db;
    private final Function<Row, FeedRow> render;
    private final WatchMetrics metrics;
    private final Map<Follower, Long> cursors = new HashMap<>();
    private boolean reading;
    private boolean again;
    /** Database reads made, for tests and the benchmark. */
    private long reads;
    /** When the first signal not yet read for arrived (System.nanoTime), 0 when none waits: the fan-out delay's start. */
    private long signalledAt;

    Feed(WatchSpec spec, Pool db, Function<Row, FeedRow> render, WatchMetrics metrics) {
        this.spec = spec;
        this.db = db;
        this.render = render;
        this.metrics = metrics;
    }

    /** A change signal for this feed's rows: read, and time the way to the followers. */
    void signalled() {
        synchronized (this) {
            if (signalledAt == 0) {
                signalledAt = System.nanoTime();
            }
        }
        poke();
    }

    /**
     * Adds a follower that has seen everything up to {@code cursor}, and reads once for it: a change
     * signalled between the follower's own catch-up read and now would otherwise wait for the next one.
     */
    void follow(Follower follower, long cursor) {
        synchronized (this) {
            cursors.put(follower, cursor);
        }
        poke();
    }

    /** @return whether the feed has no followers left */
    synchronized boolean unfollow(Follower follower) {
        cursors.remove(follower);
        return cursors.isEmpty();
    }

    synchronized long reads() {
        return reads;
    }

    void poke() {
        long from;
        long since;
        synchronized (this) {
            if (cursors.isEmpty()) {
                signalledAt = 0;
                return;
            }
            if (reading) {
                again = true;
                return;
            }
            reading = true;
            from = cursors.values().stream().mapToLong(Long::longValue).min().orElse(0);
            since = signalledAt;
            signalledAt = 0;
        }
        read(from, since);
    }

    /** @param since when the signal this read answers arrived, 0 when it answers none (a new follower) */
    private void read(long from, long since) {
        synchronized (this) {
            reads++;
        }
        page(db, spec, from, PAGE, render).subscribe().with(rows -> {
            boolean timed = deliver(rows) && since != 0;
            if (timed) {
                metrics.delivered(spec.kind(), since); // once per signal: a long change's later pages are not a second delay
            }
            if (rows.size() == PAGE) {
                read(rows.get(rows.size() - 1).revision(), timed ? 0 : since);
            } else {
                finished();
            }
        }, failure -> {
            List<Follower> all;
            synchronized (this) {
                all = new ArrayList<>(cursors.keySet());
            }
            all.forEach(f -> f.fail(failure));
            finished();
        });
    }

    private void finished() {
        boolean more;
        synchronized (this) {
            reading = false;
            more = again;
            again = false;
        }
        if (more) {
            poke();
        }
    }

    /** @return whether any follower got rows */
    private boolean deliver(List<FeedRow> rows) {
        if (rows.isEmpty()) {
            return false;
        }
        Map<Follower, List<FeedRow>> out = new HashMap<>();
        synchronized (this) {
            for (Map.Entry<Follower, Long> e : cursors.entrySet()) {
                long cursor = e.getValue();
                List<FeedRow> news = rows.stream().filter(r -> r.revision() > cursor).toList();
                if (!news.isEmpty()) {
                    out.put(e.getKey(), news);
                    e.setValue(news.get(news.size() - 1).revision());
                }
            }
        }
        out.forEach(Follower::deliver);
        return !out.isEmpty();
    }

    /** Rows of {@code spec} after {@code cursor}, in revision order, at most {@code limit}. */
    static Uni<List<FeedRow>> page(Pool db, WatchSpec spec, long cursor, int limit, Function<Row, FeedRow> render) {
        List<Object> args = new ArrayList<>(List.of(spec.vpcId(), (int) Math.min(cursor, Integer.MAX_VALUE), limit));
        args.addAll(spec.filterArgs());
        return db.preparedQuery(spec.kind().sql(spec.filter())).execute(Tuple.from(args)).map(rowSet -> {
            List<FeedRow> rows = new ArrayList<>(rowSet.size());
            rowSet.forEach(row -> rows.add(render.apply(row)));
            return rows;
        });
    }
}
