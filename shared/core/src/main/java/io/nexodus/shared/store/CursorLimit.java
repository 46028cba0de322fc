package io.nexodus.shared.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How many {@link RowCursor}s this replica keeps open at once. A cursor holds a pool connection for as long as its
 * client takes to read the rows (a 77 MB peer list to a slow client: minutes), so without a bound a few big lists
 * could take every connection of the pool and starve what must not wait: watch streams reopening after a rollout,
 * which is how the 100,000-device run failed (docs/benchmarks.md, "A fleet from its own process"). A cursor over
 * the bound is refused at once with 503 and Retry-After, as a full pool is, before any byte of its answer.
 */
@ApplicationScoped
public class CursorLimit {

    @ConfigProperty(name = "nexodus.store.max-open-cursors", defaultValue = "2")
    int max;

    private final AtomicInteger open = new AtomicInteger();

    /** Takes a place for one more cursor, if there is one. */
    boolean tryOpen() {
        int now;
        do {
            now = open.get();
            if (now >= max) {
                return false;
            }
        } while (!open.compareAndSet(now, now + 1));
        return true;
    }

    /** Gives back the place of a cursor that was closed, or never opened. */
    void closed() {
        open.decrementAndGet();
    }

    int max() {
        return max;
    }
}
