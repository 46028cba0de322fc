package io.nexodus.shared.ipam;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What this replica's own IPAM calls have found: since when IPAM has been unreachable (a call failed with a
 * transient status after its retries), or nothing while it answers. Learnt from traffic, so that knowing it
 * costs no call: a replica starting from zero has made none and is not held back by asking.
 */
@ApplicationScoped
public class IpamReachability {

    private final AtomicReference<Instant> awaySince = new AtomicReference<>();

    void answered() {
        awaySince.set(null);
    }

    void failed(Throwable failure) {
        if (IpamErrors.isTransient(failure)) {
            awaySince.compareAndSet(null, Instant.now());
        }
    }

    public Optional<Instant> awaySince() {
        return Optional.ofNullable(awaySince.get());
    }
}
