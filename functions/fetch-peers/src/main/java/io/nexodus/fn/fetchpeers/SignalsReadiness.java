package io.nexodus.fn.fetchpeers;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the change-signal connection is lost: this replica's watch streams would hear no change
 * until it is back, so new ones should go to another replica. A replica that has served no watcher yet
 * holds no such connection and is ready.
 */
@Readiness
@ApplicationScoped
public class SignalsReadiness implements HealthCheck {

    @Inject
    SignalHub hub;

    @Override
    public HealthCheckResponse call() {
        return hub.deafSince()
                .map(since -> HealthCheckResponse.named("change-signals").down().withData("deaf_since", since.toString()).build())
                .orElseGet(() -> HealthCheckResponse.named("change-signals").up().build());
    }
}
