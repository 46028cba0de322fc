package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.identity.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How many watch streams each credential holds open on this replica, capped at
 * {@code nexodus.watch.max-streams-per-credential}. A stream holds memory and a share of every change's
 * fan-out for minutes; nexd opens one per device (with that device's token), so a credential far above the
 * cap is a runaway client or an attack, and it must not crowd out the rest of the fleet. Per replica:
 * streams are spread by the platform, and a counter here costs nothing per request.
 */
@ApplicationScoped
public class StreamQuota {

    @ConfigProperty(name = "nexodus.watch.max-streams-per-credential", defaultValue = "100")
    int max;

    private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

    /** @return false, taking nothing, when the caller already holds {@link #max()} streams */
    boolean tryOpen(Caller caller) {
        boolean[] taken = {false};
        open.compute(caller.key(), (key, count) -> {
            AtomicInteger held = count == null ? new AtomicInteger() : count;
            if (held.get() < max) {
                held.incrementAndGet();
                taken[0] = true;
            }
            return held.get() == 0 ? null : held;
        });
        return taken[0];
    }

    void closed(Caller caller) {
        open.computeIfPresent(caller.key(), (key, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    int max() {
        return max;
    }
}
