package io.nexodus.shared.startup;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The meter registry of a lean build ({@code -Dlean}: no Micrometer extension, README "Lean build"). The meters the
 * functions register ({@code AddressesInUse}, {@code WatchMetrics}, {@code RegistrationMetrics}) still need a
 * registry to register in; a composite with no registry under it makes each one a no-op, so the code that records
 * is the same in both builds. Where the extension is in the build (the default), its registry replaces this one.
 */
@Singleton
public class NoMetricsRegistry {

    @Produces
    @Singleton
    @DefaultBean
    MeterRegistry noRegistry() {
        return new CompositeMeterRegistry();
    }
}
