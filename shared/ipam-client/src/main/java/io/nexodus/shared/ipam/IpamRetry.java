package io.nexodus.shared.ipam;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Retries an IPAM call when the failure says "try again" (UNAVAILABLE: the backend is starting or
 * scaling from zero; DEADLINE_EXCEEDED: it was slow) and never when the answer is final (NOT_FOUND,
 * ALREADY_EXISTS, INVALID_ARGUMENT, ...): repeating those cannot change the answer. A retried
 * AcquireIP whose first attempt did reach the server may leave that first address allocated; callers
 * that must not leak release what they stop using (see the design's compensation rule).
 */
@ApplicationScoped
public class IpamRetry {

    @ConfigProperty(name = "nexodus.ipam.retries", defaultValue = "3")
    int retries;

    @ConfigProperty(name = "nexodus.ipam.retry-backoff", defaultValue = "PT0.1S")
    Duration backoff;

    public <T> Uni<T> transientFailures(Uni<T> call) {
        if (retries <= 0) {
            return call;
        }
        return call.onFailure(IpamErrors::isTransient).retry()
                .withBackOff(backoff, backoff.multipliedBy(20)).withJitter(0.3)
                .atMost(retries);
    }
}
