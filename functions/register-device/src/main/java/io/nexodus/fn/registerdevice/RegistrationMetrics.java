package io.nexodus.fn.registerdevice;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexodus.shared.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Device registrations by outcome (docs/operations.md "Metrics"): {@code registered}, {@code refused} (the
 * caller's mistake or a conflict: a 4xx, e.g. nexd's 409 for a key already registered) and {@code failed}
 * (the store or IPAM: a 5xx). The rate of registrations is the onboarding load; failed ones are an incident.
 */
@ApplicationScoped
public class RegistrationMetrics {

    private final Counter registered;
    private final Counter refused;
    private final Counter failed;

    @Inject
    RegistrationMetrics(MeterRegistry registry) {
        registered = counter(registry, "registered");
        refused = counter(registry, "refused");
        failed = counter(registry, "failed");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("nexodus.device.registrations")
                .description("Device registrations (register-device) by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    void registered() {
        registered.increment();
    }

    void failed(Throwable failure) {
        (failure instanceof ApiException api && api.status() < 500 ? refused : failed).increment();
    }
}
