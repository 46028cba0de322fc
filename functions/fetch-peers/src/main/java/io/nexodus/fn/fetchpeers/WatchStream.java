package io.nexodus.fn.fetchpeers;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.mutiny.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One open watch response: several watches multiplexed as newline-delimited JSON events. For each
 * watch, in order: catch up from its {@code gt_revision} by pages (its own reads), say {@code tail} once
 * (unless the client resumes {@code at_tail}), then follow the shared {@link Feed} of its spec. Within a
 * kind events arrive in strictly ascending revision, so a client that reconnects with the last
 * revision it saw and {@code at_tail: true} misses nothing and gets nothing twice.
 */
final class WatchStream {

    static final int CATCH_UP_PAGE = 500;

    /** One watch of the stream and where it stands. */
    private final class Watch implements Feed.Follower {
        final WatchSpec spec;
        long cursor;
        boolean tailSent;
        /** Ids sent as change during catch-up: a tombstone of anything else is old news then. */
        final Set<String> sent = new HashSet<>();

        Watch(WatchSpec spec, long cursor, boolean atTail) {
            this.spec = spec;
            this.cursor = cursor;
            this.tailSent = atTail;
        }

        @Override
        public void deliver(List<FeedRow> rows) {
            send(this, rows);
        }

        @Override
        public void fail(Throwable failure) {
            end(renderer.error(spec.kind().wireName(), "watch failed: " + failure.getMessage()));
        }
    }

    private final HttpServerResponse response;
    private final Pool db;
    private final Feeds feeds;
    private final WatchRenderer renderer;
    private final List<Watch> watches = new ArrayList<>();
    private final List<Runnable> unfollow = new ArrayList<>();
    private boolean ended;
    private boolean stopped;

    WatchStream(HttpServerResponse response, Pool db, Feeds feeds, WatchRenderer renderer) {
        this.response = response;
        this.db = db;
        this.feeds = feeds;
        this.renderer = renderer;
    }

    void add(WatchSpec spec, long gtRevision, boolean atTail) {
        watches.add(new Watch(spec, gtRevision, atTail));
    }

    /** Catches every watch up, then follows; {@code onEnd} runs once when the stream ends for any reason. */
    void start(Consumer<WatchStream> onEnd) {
        response.closeHandler(v -> stop(onEnd));
        response.endHandler(v -> stop(onEnd));
        if (response.closed()) {
            // the client left while the stream was being set up (its session row written, say): a close handler set
            // now would never run, and the session would outlive the stream
            stop(onEnd);
            return;
        }
        Multi.createFrom().iterable(watches)
                .onItem().transformToUniAndConcatenate(this::catchUp)
                .collect().last()
                .subscribe().with(done -> {
                    synchronized (this) {
                        if (ended) {
                            return;
                        }
                        for (Watch w : watches) {
                            unfollow.add(feeds.follow(w.spec, w, w.cursor));
                        }
                    }
                }, failure -> end(renderer.error("", "watch failed: " + failure.getMessage())));
    }

    private Uni<Void> catchUp(Watch watch) {
        return Feed.page(db, watch.spec, watch.cursor, CATCH_UP_PAGE, row -> renderer.render(watch.spec.kind(), row))
                .flatMap(rows -> {
                    send(watch, rows);
                    if (rows.size() == CATCH_UP_PAGE) {
                        return catchUp(watch);
                    }
                    synchronized (this) {
                        if (!watch.tailSent && !ended) {
                            watch.tailSent = true;
                            watch.sent.clear();
                            response.write(renderer.tail(watch.spec.kind()));
                        }
                    }
                    return Uni.createFrom().voidItem();
                });
    }

    private synchronized void send(Watch watch, List<FeedRow> rows) {
        if (ended) {
            return;
        }
        StringBuilder chunk = new StringBuilder();
        for (FeedRow row : rows) {
            if (row.revision() <= watch.cursor) {
                continue;
            }
            watch.cursor = row.revision();
            if (!watch.tailSent) {
                if (row.deleted() && !watch.sent.contains(row.id())) {
                    continue;
                }
                watch.sent.add(row.id());
            }
            chunk.append(row.json());
        }
        if (!chunk.isEmpty()) {
            response.write(chunk.toString());
        }
    }

    /** Ends the response after a last event (an error), or cleanly when {@code last} is null. */
    synchronized void end(String last) {
        if (ended) {
            return;
        }
        ended = true;
        unfollow.forEach(Runnable::run);
        if (last != null) {
            response.write(last);
        }
        response.end();
    }

    private void stop(Consumer<WatchStream> onEnd) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (!ended) {
                ended = true;
                unfollow.forEach(Runnable::run);
            }
        }
        onEnd.accept(this);
    }
}
