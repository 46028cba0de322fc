package io.nexodus.fn.fetchpeers;

import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;

/**
 * The feeds this replica runs, one per watched spec, created with their first follower and dropped with
 * their last. Replicas share nothing: each listens for the same signals and reads for its own watchers.
 */
@ApplicationScoped
public class Feeds {

    @Inject
    Pool db;

    @Inject
    SignalHub hub;

    @Inject
    WatchRenderer renderer;

    @Inject
    WatchMetrics metrics;

    private record Running(Feed feed, Runnable unsubscribe) {
    }

    private final Map<String, Running> running = new HashMap<>();

    /** @return what to call to stop following */
    Runnable follow(WatchSpec spec, Feed.Follower follower, long cursor) {
        Feed feed;
        synchronized (this) {
            Running r = running.get(spec.key());
            if (r == null) {
                Feed created = new Feed(spec, db, row -> renderer.render(spec.kind(), row), metrics);
                r = new Running(created, hub.subscribe(spec.kind().signal(spec.vpcId()), created::signalled));
                running.put(spec.key(), r);
            }
            feed = r.feed();
        }
        feed.follow(follower, cursor);
        return () -> {
            synchronized (this) {
                Running r = running.get(spec.key());
                if (r != null && r.feed() == feed && feed.unfollow(follower)) {
                    running.remove(spec.key());
                    r.unsubscribe().run();
                }
            }
        };
    }

    /** Database reads the feed of {@code spec} has made so far (0 when it is not running). */
    synchronized long reads(WatchSpec spec) {
        Running r = running.get(spec.key());
        return r == null ? 0 : r.feed().reads();
    }

    synchronized int size() {
        return running.size();
    }
}
