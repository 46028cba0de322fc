package io.nexodus.fn.gc;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code gc} function: hard-deletes old tombstones (Nexodus's {@code /private/gc}) and gives back to
 * IPAM what no live device holds. Fired by a schedule (a Knative PingSource, or a CronJob calling
 * {@code GET /private/gc}); safe to run at any time and on any number of replicas at once.
 */
@ApplicationScoped
public class CollectGarbage {

    @Inject
    Tombstones tombstones;

    @Inject
    AddressReconciler addresses;

    /** How long a tombstone is kept for watchers that were away (Nexodus: {@code retention}, default 24h). */
    @ConfigProperty(name = "nexodus.gc.retention", defaultValue = "24h")
    String retention;

    /** How long an IPAM entry must stay unheld before it is given back: well beyond a registration's longest run. */
    @ConfigProperty(name = "nexodus.gc.ipam-grace", defaultValue = "10m")
    String ipamGrace;

    /** What one run did. */
    public record Report(
            @JsonProperty("purged") Map<String, Long> purged,
            @JsonProperty("ipam_orphans") int ipamOrphans,
            @JsonProperty("ipam_released") int ipamReleased) {
    }

    /** A run asks for nothing: the configured policy applies. The body is an empty JSON object. */
    public record Run() {
    }

    /**
     * With the configured retention and grace: callers of the Funqy and CloudEvent bindings (any
     * authenticated caller, or a Broker's trigger) cannot shorten them.
     */
    @Funq("gc")
    @CloudEventMapping(trigger = "io.nexodus.gc.run", responseType = "io.nexodus.gc.done")
    public Uni<Report> run(Run ignored) {
        return run(null, null);
    }

    /** @param retentionParam, ipamGraceParam Go durations; {@code null} for the configured ones */
    Uni<Report> run(String retentionParam, String ipamGraceParam) {
        Duration keep = GoDuration.parse(retentionParam == null ? retention : retentionParam, "retention");
        Duration grace = GoDuration.parse(ipamGraceParam == null ? ipamGrace : ipamGraceParam, "ipam_grace");
        return tombstones.purge(OffsetDateTime.now().minus(keep))
                .flatMap(purged -> addresses.reconcile(grace)
                        .map(result -> new Report(purged, result.orphans(), result.released())));
    }
}
