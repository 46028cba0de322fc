package io.nexodus.shared.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Turns recording on or off at run time. Quarkus fixes the Micrometer extension and its binders at build
 * time ({@code quarkus.micrometer.*.enabled} are build-and-run-time-fixed), so the image always carries
 * them; what an operator switches with {@code nexodus.metrics.enabled} ({@code NEXODUS_METRICS}) is
 * whether any meter records. Off, this filter denies every meter: each becomes Micrometer's no-op, a
 * request pays no timer and {@code /q/metrics} answers an empty page.
 *
 * <p>Quarkus applies every {@link MeterFilter} bean to the registries as it creates them, before the
 * first meter, so the switch is read once at start-up (a change takes a new revision, as any
 * environment change does on Knative).
 */
@Singleton
public class MetricsSwitch {

    @Produces
    @Singleton
    MeterFilter onOrOff(@ConfigProperty(name = "nexodus.metrics.enabled", defaultValue = "false") boolean enabled) {
        return enabled ? new MeterFilter() { } : MeterFilter.deny();
    }
}
