package io.nexodus.fn.gc;

import io.nexodus.shared.events.OncePerEvent;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.events.OutboxRelay;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

/**
 * The {@code gc} function: removes ephemeral devices offline longer than the configured inactivity, marks offline the
 * devices no watch stream holds any more,
 * hard-deletes old tombstones (Nexodus's {@code /private/gc}) and gives back to IPAM what no live device holds. Fired by a schedule (a Knative PingSource, or a CronJob calling
 * {@code GET /private/gc} with the cluster's service token; the PingSource's tick carries no secret and
 * starts at most one sweep per interval); safe to run at any time and on any number
 * of replicas at once, and no caller can shorten what it keeps ({@link GcPolicy}).
 */
@OncePerEvent
@ApplicationScoped
public class CollectGarbage {

    @Inject
    Tombstones tombstones;

    @Inject
    AddressReconciler addresses;

    @Inject
    InactiveEphemeralDevices ephemeral;

    @Inject
    StaleOnlineStatus onlineStatus;

    @Inject
    GcPolicy policy;

    @Inject
    EventRetention events;

    @Inject
    OutboxRelay relay;

    @Inject
    CurrentCaller caller;

    @Inject
    SweepClock clock;

    /** The web console's sessions past their idle or absolute expiry (shared/core websession). */
    @Inject
    io.nexodus.shared.websession.WebSessionStore webSessions;

    /** What one run did. */
    public record Report(
            @JsonProperty("ephemeral_removed") int ephemeralRemoved,
            @JsonProperty("marked_offline") int markedOffline,
            @JsonProperty("purged") Map<String, Long> purged,
            @JsonProperty("ipam_orphans") int ipamOrphans,
            @JsonProperty("ipam_released") int ipamReleased,
            @JsonProperty("events_sent") int eventsSent,
            @JsonProperty("events_pending") int eventsPending) {
    }

    /** A run asks for nothing: the configured policy applies. */
    public record Run() {
    }

    /**
     * The schedule's run: a PingSource (whose CloudEvent type is fixed, {@code dev.knative.sources.ping})
     * delivering straight to this function, without a credential (at most one sweep per
     * {@code nexodus.gc.min-interval}: SweepClock), or {@code POST /gc} with the service token. The configured
     * policy applies. The body is empty or an empty JSON object (a PingSource without
     * {@code data} sends none).
     */
    @Funq("gc")
    @CloudEventMapping(trigger = "dev.knative.sources.ping", responseType = "io.nexodus.gc.done")
    public Uni<Report> run(Run ignored) {
        return run(null, null);
    }

    /**
     * @param retentionParam, ipamGraceParam Go durations no shorter than the configured ones; {@code null}
     *                        for the configured ones
     */
    Uni<Report> run(String retentionParam, String ipamGraceParam) {
        Caller.Kind kind = caller.get().kind();
        if (kind != Caller.Kind.SERVICE && kind != Caller.Kind.SCHEDULE) {
            throw ApiErrors.forbidden("only the cluster's schedule (its tick, or the service token) may start a sweep");
        }
        Duration keep = policy.retention(retentionParam);
        Duration grace = policy.ipamGrace(ipamGraceParam);
        // the tick carries no credential: it may start a sweep once per interval; the service token always may
        return (kind == Caller.Kind.SCHEDULE ? clock.claimForSchedule() : clock.started())
                .flatMap(started -> sweep(keep, grace));
    }

    private Uni<Report> sweep(Duration keep, Duration grace) {
        OffsetDateTime now = OffsetDateTime.now();
        // the outbox is drained after the removals (their events go out in this run) and before the purge
        return ephemeral.remove(now.minus(policy.ephemeralInactivity()))
                .flatMap(removed -> onlineStatus.markOffline().flatMap(offline -> relay.drain()
                        .flatMap(sent -> tombstones.purge(now.minus(keep))
                                .call(purged -> events.purge(now.minus(policy.eventsRetention()),
                                        now.minus(policy.inboundRetention()), purged))
                                .call(purged -> webSessions.sweep(now).invoke(n -> purged.put("web_sessions", n)))
                                .flatMap(purged -> addresses.reconcile(grace)
                                        .map(result -> new Report(removed, offline, purged, result.orphans(),
                                                result.released(), sent.delivered(), sent.pending()))))));
    }
}
