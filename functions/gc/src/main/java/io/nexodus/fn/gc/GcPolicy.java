package io.nexodus.fn.gc;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.http.GoDuration;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How long a sweep keeps what others may still need: configuration only. A caller may ask to keep more
 * (Nexodus's CronJob passes {@code retention=24h}), never less: a shorter grace gives back addresses that
 * registrations in flight hold but have not yet written, so IPAM would hand them out twice; a shorter
 * retention purges tombstones that a watcher resuming from an older revision still needs. The floors hold
 * for configuration too: a value below one refuses to start.
 */
@ApplicationScoped
class GcPolicy {

    /** Longer than any watch stream's life plus a reconnect: resuming watchers still find recent deletes. */
    static final Duration RETENTION_FLOOR = Duration.ofHours(1);

    /** Far beyond a registration's longest run (IPAM deadline × retries plus the database write). */
    static final Duration IPAM_GRACE_FLOOR = Duration.ofMinutes(5);

    /**
     * Beyond a watch stream's heartbeat (1 min) and a reconnect: an agent that is there is never taken for
     * gone.
     */
    static final Duration EPHEMERAL_INACTIVITY_FLOOR = Duration.ofMinutes(5);

    /** The audit trail's and the seen inbound events' shortest life: beyond a Broker's redelivery window. */
    static final Duration EVENTS_RETENTION_FLOOR = Duration.ofHours(1);

    /** How long outbound events stay, as the organizations' audit trail (delivered or not). */
    @ConfigProperty(name = "nexodus.events.retention", defaultValue = "720h")
    String eventsRetention;

    /** How long an inbound event's answer is kept for its redeliveries. */
    @ConfigProperty(name = "nexodus.events.inbound-retention", defaultValue = "24h")
    String inboundRetention;

    /** Nexodus's {@code retention} (default 24h). */
    @ConfigProperty(name = "nexodus.gc.retention", defaultValue = "24h")
    String retention;

    /** How long an IPAM entry must stay unheld before it is given back. */
    @ConfigProperty(name = "nexodus.gc.ipam-grace", defaultValue = "10m")
    String ipamGrace;

    /** How long an ephemeral device may stay offline before it is removed (docs/compatibility.md, "Fleet lifecycle"). */
    @ConfigProperty(name = "nexodus.gc.ephemeral-inactivity", defaultValue = "30m")
    String ephemeralInactivity;

    private Duration configuredRetention;
    private Duration configuredIpamGrace;
    private Duration configuredEphemeralInactivity;
    private Duration configuredEventsRetention;
    private Duration configuredInboundRetention;

    /** Parsed and checked once, at start-up: a bad value refuses to start, never fails a sweep. */
    void validateAtStartup(@Observes StartupEvent ignored) {
        configuredRetention = configured(retention, "nexodus.gc.retention", RETENTION_FLOOR);
        configuredIpamGrace = configured(ipamGrace, "nexodus.gc.ipam-grace", IPAM_GRACE_FLOOR);
        configuredEphemeralInactivity = configured(ephemeralInactivity, "nexodus.gc.ephemeral-inactivity",
                EPHEMERAL_INACTIVITY_FLOOR);
        configuredEventsRetention = configured(eventsRetention, "nexodus.events.retention", EVENTS_RETENTION_FLOOR);
        configuredInboundRetention = configured(inboundRetention, "nexodus.events.inbound-retention",
                EVENTS_RETENTION_FLOOR);
    }

    /** Configuration only. */
    Duration eventsRetention() {
        return configuredEventsRetention;
    }

    /** Configuration only. */
    Duration inboundRetention() {
        return configuredInboundRetention;
    }

    /** Configuration only: a sweep has no parameter for it. */
    Duration ephemeralInactivity() {
        return configuredEphemeralInactivity;
    }

    private static Duration configured(String text, String property, Duration floor) {
        Duration value;
        try {
            value = GoDuration.parse(text, property);
        } catch (RuntimeException e) {
            throw new IllegalStateException(property + " is not a Go duration: " + text);
        }
        if (value.compareTo(floor) < 0) {
            throw new IllegalStateException(property + " is " + text + ", below its floor of " + floor);
        }
        return value;
    }

    /** @param requested a caller's Go duration, or null for the configured one */
    Duration retention(String requested) {
        return atLeastConfigured(requested, "retention", configuredRetention);
    }

    /** @param requested a caller's Go duration, or null for the configured one */
    Duration ipamGrace(String requested) {
        return atLeastConfigured(requested, "ipam_grace", configuredIpamGrace);
    }

    private static Duration atLeastConfigured(String requested, String field, Duration configured) {
        if (requested == null) {
            return configured;
        }
        Duration asked = GoDuration.parse(requested, field);
        if (asked.compareTo(configured) < 0) {
            throw ApiErrors.invalidField(field, "may not be shorter than the configured policy");
        }
        return asked;
    }
}
