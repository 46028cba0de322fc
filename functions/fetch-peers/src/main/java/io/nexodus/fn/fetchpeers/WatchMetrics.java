package io.nexodus.fn.fetchpeers;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an operator watches of the watch routes on this replica (docs/operations.md "Metrics"): how many
 * streams are open, and how long a change takes from its signal reaching the replica to its rows written
 * to every stream that follows it (the fan-out delay: one database read per feed, then one write per
 * stream). Tagged by watch kind only, a bounded set; never by VPC.
 */
@ApplicationScoped
public class WatchMetrics {

    private final AtomicInteger open = new AtomicInteger();
    private final Map<WatchKind, Timer> fanout = new EnumMap<>(WatchKind.class);

    @Inject
    WatchMetrics(MeterRegistry registry) {
        Gauge.builder("nexodus.watch.streams.open", open, AtomicInteger::get)
                .description("Watch streams (POST /api/events, /api/vpcs/{id}/events) open on this replica")
                .register(registry);
        for (WatchKind kind : WatchKind.values()) {
            fanout.put(kind, Timer.builder("nexodus.watch.fanout.delay")
                    .description("From a change signal reaching this replica to its rows written to every stream that follows them")
                    .tag("kind", kind.wireName())
                    // a few buckets, not a percentile histogram's seventy: enough to see "within 100 ms" or not
                    .serviceLevelObjectives(ms(10), ms(50), ms(100), ms(500), ms(1000), ms(5000))
                    .register(registry));
        }
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    void delivered(WatchKind kind, long signalledAtNanos) {
        fanout.get(kind).record(System.nanoTime() - signalledAtNanos, TimeUnit.NANOSECONDS);
    }
}
