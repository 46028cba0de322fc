package io.nexodus.shared.devices;

import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.IpamReachability;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the functions that hold addresses: IPAM answers. While this replica's own calls find IPAM
 * answering ({@link IpamReachability}) the check is free, so a replica scaling from zero is not held back
 * by an extra call before its first request. Once calls have found it away, the check asks IPAM itself
 * (the cheapest call, short deadline), at most once per {@code nexodus.ipam.readiness-every}, since a
 * replica taken out of rotation makes no more calls to learn that IPAM is back.
 */
@Readiness
@ApplicationScoped
public class IpamReadiness implements AsyncHealthCheck {

    private static final String NAME = "ipam";

    @Inject
    IpamClient ipam;

    @Inject
    IpamReachability reachability;

    @ConfigProperty(name = "nexodus.ipam.readiness-every", defaultValue = "PT5S")
    Duration every;

    @ConfigProperty(name = "nexodus.ipam.readiness-deadline", defaultValue = "PT1S")
    Duration deadline;

    private final AtomicReference<Instant> lastAsked = new AtomicReference<>(Instant.EPOCH);

    @Override
    public Uni<HealthCheckResponse> call() {
        if (reachability.awaySince().isEmpty()) {
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).up().build());
        }
        Instant now = Instant.now();
        Instant asked = lastAsked.get();
        if (asked.plus(every).isAfter(now) || !lastAsked.compareAndSet(asked, now)) {
            return Uni.createFrom().item(down());
        }
        return ipam.reachable(deadline)
                .map(ignored -> HealthCheckResponse.named(NAME).up().build())
                .onFailure().recoverWithItem(failure -> down());
    }

    private HealthCheckResponse down() {
        return HealthCheckResponse.named(NAME).down()
                .withData("away_since", reachability.awaySince().map(Instant::toString).orElse("")).build();
    }
}
