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

    static final String DEFAULT_RETRIES = "3";
    static final String DEFAULT_BACKOFF = "PT0.1S";

    @ConfigProperty(name = "nexodus.ipam.retries", defaultValue = DEFAULT_RETRIES)
    int retries;

    @ConfigProperty(name = "nexodus.ipam.retry-backoff", defaultValue = DEFAULT_BACKOFF)
    Duration backoff;

    /** Outside CDI ({@link IpamClient#over}): the defaults the configuration has when nothing sets it. */
    static IpamRetry withDefaults() {
        IpamRetry retry = new IpamRetry();
        retry.retries = Integer.parseInt(DEFAULT_RETRIES);
        retry.backoff = Duration.parse(DEFAULT_BACKOFF);
        return retry;
    }

    public <T> Uni<T> transientFailures(Uni<T> call) {
        if (retries <= 0) {
            return call;
        }
        return call.onFailure(IpamErrors::isTransient).retry()
                .withBackOff(backoff, backoff.multipliedBy(20)).withJitter(0.3)
                .atMost(retries);
    }
}
