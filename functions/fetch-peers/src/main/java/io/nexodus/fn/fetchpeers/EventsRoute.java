package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.access.Access;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.flags.FeatureFlags;
import io.nexodus.shared.http.ErrorResponses;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.http.StreamRoute;
import io.nexodus.shared.identity.BearerAuthentication;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.store.LikePatterns;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The watch routes (Nexodus's internal/handlers/events.go): {@code POST /api/events} (what nexd uses, each watch
 * naming its VPC) and {@code POST /api/vpcs/{id}/events}. They stream, so they are Vert.x routes rather than REST
 * resources. A stream ends by itself after {@code nexodus.watch.max-duration} (well before Knative's request
 * timeout), always between two whole events: nexd reconnects with its last revisions and {@code at_tail}, and so
 * resumes where it stopped. A replica told to stop ends its streams the same way at once (see {@link #endStreams}).
 */
@ApplicationScoped
@StreamRoute(method = "POST", path = "/api/events")
@StreamRoute(method = "POST", path = "/api/vpcs/{id}/events")
public class EventsRoute {

    /** After authentication, before the REST layer (which owns other /api/vpcs routes). */
    static final int ORDER = Integer.MIN_VALUE + 2_000;

    @Inject
    Pool db;

    @Inject
    Access access;

    @Inject
    Feeds feeds;

    @Inject
    WatchRenderer renderer;

    @Inject
    OnlineTracker online;

    @Inject
    Vertx vertx;

    @Inject
    StreamRecheck recheck;

    @Inject
    FeatureFlags flags;

    @Inject
    WatchMetrics metrics;

    @ConfigProperty(name = "nexodus.watch.max-duration", defaultValue = "PT4M")
    Duration maxDuration;

    @Inject
    StreamQuota quota;

    /** The streams open on this replica, so that a stopping replica can end them. */
    private final Set<WatchStream> openStreams = ConcurrentHashMap.newKeySet();

    /** Told to stop: no new stream (see {@link #endStreams}). */
    private volatile boolean stopping;

    private static RuntimeException stoppingRefusal() {
        return ApiErrors.unavailable("this replica is stopping: open the stream again (another replica, or this one"
                + " once restarted, takes it)");
    }

    void install(@Observes Router router) {
        router.post("/api/events").order(ORDER).handler(ctx -> open(ctx, null));
        router.post("/api/vpcs/:id/events").order(ORDER + 1).handler(ctx -> open(ctx, ctx.pathParam("id")));
    }

    void open(RoutingContext ctx, String pathVpcId) {
        Caller caller;
        WatchRequest request;
        UUID pathVpc;
        try {
            caller = BearerAuthentication.callerOf(ctx);
            pathVpc = pathVpcId == null ? null : Ids.pathUuid(pathVpcId, "id");
            request = WatchRequest.parse(ctx.body().asString(), pathVpc);
            request.items().forEach(item -> item.kind().requireEnabled(flags));
        } catch (RuntimeException e) {
            ErrorResponses.write(ctx, e);
            return;
        }
        if (stopping) {
            ErrorResponses.write(ctx, stoppingRefusal());
            return;
        }
        if (!quota.tryOpen(caller)) {
            ErrorResponses.write(ctx, ApiErrors.tooMany("Authorization", "this credential already holds "
                    + quota.max() + " open watch streams on this replica; close one first"));
            return;
        }
        // once the response ends or its connection closes, whichever way the stream went
        ctx.addEndHandler(ended -> quota.closed(caller));
        String publicKey = ctx.request().getParam("public_key");
        resolve(caller, request)
                .flatMap(specs -> watchedDevice(caller, pathVpc, publicKey).map(device -> new Object[] {specs, device}))
                .subscribe().with(resolved -> {
                    @SuppressWarnings("unchecked")
                    List<Resolved> specs = (List<Resolved>) resolved[0];
                    stream(ctx, caller, specs, (UUID) resolved[1]);
                }, failure -> ErrorResponses.write(ctx, failure));
    }

    private record Resolved(WatchSpec spec, long gtRevision, boolean atTail) {
    }

    /**
     * Each watch's VPC must be readable by the caller (a device: its own VPC); else 404 before any byte
     * streams. A watch named by device answers 404 {@code device} alike for a device that is not there and
     * one in a VPC the caller may not read: the answer tells nothing of other tenants.
     */
    private Uni<List<Resolved>> resolve(Caller caller, WatchRequest request) {
        return Multi.createFrom().iterable(request.items())
                .onItem().transformToUniAndConcatenate(item -> vpcOf(caller, item)
                        .call(vpcId -> access.requireVpcMember(db, caller, vpcId, item.vpcId() != null ? "vpc" : "device"))
                        .map(vpcId -> new Resolved(spec(item, vpcId), item.gtRevision(), item.atTail())))
                .collect().asList();
    }

    private Uni<UUID> vpcOf(Caller caller, WatchRequest.Item item) {
        if (item.vpcId() != null) {
            return Uni.createFrom().item(item.vpcId());
        }
        return db.preparedQuery("SELECT vpc_id FROM devices WHERE id = $1 AND deleted_at IS NULL")
                .execute(Tuple.of(item.deviceId()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiErrors.notFound("device");
                    }
                    return rows.iterator().next().getUUID(0);
                });
    }

    /**
     * Metadata can be narrowed to one device, one key, or key prefixes. Unlike Nexodus, a {@code key}
     * keeps the VPC filter (Nexodus sent every device's {@code relay} metadata in the system).
     */
    private static WatchSpec spec(WatchRequest.Item item, UUID vpcId) {
        if (item.kind() != WatchKind.DEVICE_METADATA) {
            return new WatchSpec(item.kind(), vpcId, "", List.of());
        }
        StringBuilder filter = new StringBuilder();
        List<Object> args = new ArrayList<>();
        if (item.deviceId() != null) {
            args.add(item.deviceId());
            filter.append(" AND m.device_id = $").append(args.size() + 3);
        }
        if (item.key() != null) {
            args.add(item.key());
            filter.append(" AND m.key = $").append(args.size() + 3);
        }
        if (!item.prefixes().isEmpty()) {
            args.add(LikePatterns.startingWith(item.prefixes()));
            filter.append(" AND m.key LIKE ANY ($").append(args.size() + 3).append(")");
        }
        return new WatchSpec(item.kind(), vpcId, filter.toString(), args);
    }

    /** The device whose online status this stream holds: a device token's own, or {@code ?public_key=}. */
    private Uni<UUID> watchedDevice(Caller caller, UUID pathVpc, String publicKey) {
        if (caller.kind() == Caller.Kind.DEVICE_TOKEN) {
            return Uni.createFrom().item(caller.credentialId());
        }
        if (publicKey == null || publicKey.isBlank() || pathVpc == null) {
            return Uni.createFrom().nullItem();
        }
        return db.preparedQuery(DEVICE_BY_PUBLIC_KEY_SQL)
                .execute(Tuple.of(publicKey))
                .map(rows -> {
                    Row row = rows.size() == 0 ? null : rows.iterator().next();
                    // a key named under another VPC holds no device of this stream's
                    return row == null || !pathVpc.equals(row.getUUID("vpc_id")) ? null : row.getUUID("id");
                });
    }

    /**
     * The live device with a public key ($1), whose VPC the caller then compares. By the key alone: with the VPC in
     * the query too, a plan made while the table was empty could read the VPC's devices through the peer list's index
     * instead (tests/ LookupPlansTest).
     */
    public static final String DEVICE_BY_PUBLIC_KEY_SQL =
            "SELECT id, vpc_id FROM devices WHERE public_key = $1 AND deleted_at IS NULL";

    private void stream(RoutingContext ctx, Caller caller, List<Resolved> specs, UUID deviceId) {
        if (ctx.response().closed()) {
            return;
        }
        if (stopping) { // told to stop while this request was being resolved
            ErrorResponses.write(ctx, stoppingRefusal());
            return;
        }
        ctx.response().setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "application/json;stream=watch");
        // the status and headers go now, not with the first event: a client resuming at its tail may have nothing
        // to read for minutes, and neither it (nexd returns from the request only with the headers) nor a proxy
        // waiting for the response to start should take that for a hung server
        ctx.response().writeHead();
        WatchStream stream = new WatchStream(ctx.response(), db, feeds, renderer);
        specs.forEach(r -> stream.add(r.spec(), r.gtRevision(), r.atTail()));
        UUID streamId = UUID.randomUUID();
        long timer = vertx.setTimer(maxDuration.toMillis(), t -> stream.end(null));
        // re-checked with every other stream of this replica, in a few queries a round (StreamRecheck)
        Runnable unwatch = recheck.add(caller, specs.stream().map(r -> r.spec().vpcId()).distinct().toList(),
                () -> stream.end(renderer.error("", "watch ended: the credential or the access to the VPC is gone")));
        // the session row is written before the stream starts: it is what every replica counts as "online"
        Uni<OnlineTracker.Session> session = deviceId == null ? Uni.createFrom().nullItem() : online.opened(streamId, deviceId);
        metrics.opened();
        openStreams.add(stream);
        session.subscribe().with(held -> stream.start(ended -> {
            openStreams.remove(stream);
            metrics.closed();
            vertx.cancelTimer(timer);
            unwatch.run();
            if (held != null) {
                online.closed(held);
            }
        }), failure -> {
            openStreams.remove(stream);
            metrics.closed();
            vertx.cancelTimer(timer);
            unwatch.run();
            stream.end(renderer.error("", "watch failed: " + failure.getMessage()));
        });
    }

    /**
     * A replica told to stop (Knative sends SIGTERM once its queue-proxy has drained) ends every open stream
     * cleanly, between two whole events, as at {@code nexodus.watch.max-duration}: nexd reconnects to
     * another replica at once and resumes by revision. Left open, the streams (minutes long) would hold
     * Quarkus's graceful shutdown, which waits for requests in flight, for all of
     * {@code QUARKUS_SHUTDOWN_TIMEOUT} and then be cut. The event comes before that wait
     * ({@code quarkus.shutdown.delay-enabled}, set in this module's {@code microprofile-config.properties}).
     * From then on a new stream is refused with 503 (nexd retries): where nothing drained the replica first (a
     * proxy straight to the process), the agents just ended would reconnect here and hold the shutdown again.
     */
    void endStreams(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
        openStreams.forEach(stream -> stream.end(null));
    }
}
