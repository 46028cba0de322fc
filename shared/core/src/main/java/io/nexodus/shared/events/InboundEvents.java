package io.nexodus.shared.events;

import io.nexodus.shared.http.CloudEventRequests;
import io.nexodus.shared.error.ApiException;
import io.nexodus.shared.error.ErrorBody;
import io.nexodus.shared.http.ErrorResponses;
import io.nexodus.shared.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Inbound idempotency: Knative delivers at least once, so a CloudEvent may arrive again with the same
 * {@code source} and {@code id}. The first delivery claims the pair ({@code inbound_events}); its reply
 * (status, {@code ce-} attributes, body) is stored before it is written ({@link AnswerKeeper}); a
 * redelivery gets that reply back and the function does not run again. A delivery that failed stores nothing and frees the claim: no effect
 * committed (a function leaves nothing half-written), so a retry may do it.
 *
 * <p>Binary mode only (the {@code ce-id} and {@code ce-source} headers), which is how a Broker and every
 * Knative source deliver; a structured-mode event POSTed straight to a function is not deduplicated.
 * The claim is the caller's own, keyed by (caller, source, id): another caller sending the same pair is
 * another event (its own effect, its own answer), so a tenant who guesses a pair first blocks nothing.
 */
@ApplicationScoped
public class InboundEvents {

    static final String CLAIMED = "nexodus.inbound.claimed";
    static final String ANSWER = "nexodus.inbound.answer";

    /** After authentication ({@code BearerAuthentication}, MIN_VALUE + 1000), before any binding. */
    static final int ORDER = Integer.MIN_VALUE + 1_100;

    /** A claim older than this without an answer belongs to a delivery that died: the next one takes over. */
    static final String STALE = "2 minutes";

    private static final Logger LOG = Logger.getLogger(InboundEvents.class);

    @Inject
    Pool db;

    void install(@Observes Router router) {
        router.post().order(ORDER).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        String id = ctx.request().getHeader("ce-id");
        String source = ctx.request().getHeader("ce-source");
        Caller caller = ctx.get(Caller.CONTEXT_KEY);
        if (id == null || source == null || !CloudEventRequests.isCloudEvent(ctx) || caller == null) {
            ctx.next();
            return;
        }
        String who = caller.key();
        Context vertxContext = Vertx.currentContext();
        boolean paused = !ctx.request().isEnded();
        if (paused) {
            ctx.request().pause();
        }
        claim(source, id, who)
                .emitOn(task -> vertxContext.runOnContext(ignored -> task.run()))
                .subscribe().with(seen -> {
                    if (paused && !ctx.request().isEnded()) {
                        ctx.request().resume();
                    }
                    if (seen == null) {
                        firstDelivery(ctx, who, source, id);
                    } else if (seen.getInteger("status") == null) {
                        ErrorResponses.write(ctx, new ApiException(409, new ErrorBody(
                                "an event with this source and id is being handled; retry later", "ce-id", null, null,
                                null, null)));
                    } else {
                        replay(ctx, seen);
                    }
                }, failure -> {
                    // the store is down: the function would fail too; answer as it would
                    if (paused && !ctx.request().isEnded()) {
                        ctx.request().resume();
                    }
                    ErrorResponses.write(ctx, failure);
                });
    }

    /** Null: this delivery holds the claim. Else the row of the delivery that does (or did). */
    private Uni<Row> claim(String source, String id, String who) {
        return db.preparedQuery("INSERT INTO inbound_events (source, id, caller) VALUES ($1, $2, $3)"
                        + " ON CONFLICT (caller, source, id) DO UPDATE SET seen_at = now()"
                        + " WHERE inbound_events.answered_at IS NULL"
                        + " AND inbound_events.seen_at < now() - interval '" + STALE + "'"
                        + " RETURNING 1")
                .execute(Tuple.of(source, id, who))
                .flatMap(claimed -> claimed.rowCount() > 0 ? Uni.createFrom().nullItem()
                        : db.preparedQuery("SELECT status, headers::text AS headers, body FROM inbound_events"
                                + " WHERE caller = $3 AND source = $1 AND id = $2").execute(Tuple.of(source, id, who))
                                .map(rows -> rows.iterator().next()));
    }

    private void firstDelivery(RoutingContext ctx, String who, String source, String id) {
        ctx.put(CLAIMED, new String[] {who, source, id});
        ctx.addEndHandler(ended -> {
            if (ctx.get(ANSWER) != null) {
                return;
            }
            // failed (or answered without a function): nothing committed, so a redelivery may do it
            db.preparedQuery("DELETE FROM inbound_events WHERE caller = $3 AND source = $1 AND id = $2"
                            + " AND answered_at IS NULL")
                    .execute(Tuple.of(source, id, who))
                    .subscribe().with(ok -> {
                    }, failure -> LOG.warnf("inbound event %s from %s: its claim stays until stale: %s", id, source,
                            failure.getMessage()));
        });
        ctx.next();
    }

    /** Stores the reply of the claimed event of {@code ctx}: the function's answer, as Funqy will write it. */
    Uni<Void> keep(RoutingContext ctx, AnswerKeeper.Reply reply, byte[] body) {
        String[] claim = ctx.get(CLAIMED);
        ctx.put(ANSWER, Boolean.TRUE);
        JsonObject headers = new JsonObject();
        int status = 204;
        if (body != null) {
            status = 200;
            headers.put("ce-specversion", "1.0").put("ce-type", reply.type()).put("ce-source", reply.source())
                    .put("content-type", "application/json");
        }
        return db.preparedQuery("UPDATE inbound_events SET status = $4, headers = $5::text::jsonb, body = $6,"
                        + " answered_at = now() WHERE caller = $1 AND source = $2 AND id = $3")
                .execute(Tuple.from(java.util.List.of(claim[0], claim[1], claim[2], status, headers.encode(),
                        Buffer.buffer(body == null ? new byte[0] : body))))
                .replaceWithVoid();
    }

    private static void replay(RoutingContext ctx, Row seen) {
        var response = ctx.response().setStatusCode(seen.getInteger("status"));
        new JsonObject(seen.getString("headers")).forEach(h -> response.putHeader(h.getKey(), String.valueOf(h.getValue())));
        // a new reply id (as Funqy gives every reply), the same facts
        if (seen.getInteger("status") == 200) {
            response.putHeader("ce-id", java.util.UUID.randomUUID().toString());
        }
        response.putHeader("nexodus-replayed", "true");
        response.end(Buffer.buffer(seen.getBuffer("body").getBytes()));
    }
}
