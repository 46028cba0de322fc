package io.nexodus.shared.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.tracing.TraceContext;
import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Records a change's outbound event in the change's own transaction (or statement), so an event exists
 * exactly for the changes that commit. Sending is {@link OutboxRelay}'s job: this replica starts it once
 * the request's answer has gone out (after the commit, without delaying the answer), and gc's sweep
 * sends whatever is left.
 */
@ApplicationScoped
public class Outbox {

    /** The columns one event row is written with, in the order of {@link #values}. */
    static final String COLUMNS = "id, organization_id, type, source, subject, actor_id, actor_kind, data, pending,"
            + " traceparent";

    /** The SQL type of each column of {@link #COLUMNS}: a bare parameter in a SELECT list has none. */
    private static final String[] TYPES = {"uuid", "uuid", "text", "text", "text", "uuid", "text", "text", "boolean",
            "text"};

    /** Fields that hold a credential in some resource's stored form: never in an event. */
    private static final Set<String> SECRET_FIELDS = Set.of("bearer_token", "token_hash", "token_ciphertext",
            "private_key");

    private static final String KICK_REGISTERED = "nexodus.events.kick";

    @Inject
    ObjectMapper json;

    @Inject
    CurrentVertxRequest request;

    @Inject
    OutboxRelay relay;

    /** Writes the event of {@code change}, made by function {@code function}, inside transaction {@code tx}. */
    public Uni<Void> record(SqlClient tx, String function, Change change) {
        return tx.preparedQuery("INSERT INTO events (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10)")
                .execute(Tuple.from(values(function, change)))
                .replaceWithVoid();
    }

    /** {@link #record} for several changes of one operation, in the order given. */
    public Uni<Void> recordAll(SqlClient tx, String function, List<Change> changes) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Change change : changes) {
            chain = chain.call(() -> record(tx, function, change));
        }
        return chain;
    }

    /**
     * For a change written by one statement (no transaction, one round trip): the body of a data-modifying
     * CTE that inserts the event once per row of {@code cte}, with parameters {@code $first} …
     * {@code $first+9} bound to {@link #values}.
     *
     * @param overlay a jsonb expression over {@code cte}'s columns merged into the data built in Java, for
     *                what only the database knows (a revision), e.g. {@code jsonb_build_object('revision', d.revision)}
     */
    public static String insertFrom(String cte, int first, String overlay) {
        StringBuilder params = new StringBuilder();
        for (int i = 0; i < TYPES.length; i++) {
            String param = "$" + (first + i) + "::" + TYPES[i];
            params.append(i == 0 ? "" : ", ").append(i == 7 ? param + "::jsonb || " + overlay : param);
        }
        return "INSERT INTO events (" + COLUMNS + ") SELECT " + params + " FROM " + cte;
    }

    /**
     * The row's values for {@link #record} and {@link #insertFrom}; arranges for the send after the answer.
     * The event keeps the request's trace context: it is sent after the answer (or by gc's sweep), when that
     * context is gone, and continues the trace of the change that made it.
     */
    public List<Object> values(String function, Change change) {
        Caller actor = actor();
        // always pending, even where this replica has no sink: a pod may start before Knative's SinkBinding
        // injected K_SINK, and gc's sweep (which has it) sends what such a pod wrote; where no replica has a
        // sink (the local run), the rows are purged with the audit retention
        boolean pending = true;
        if (relay.hasSink()) {
            sendAfterAnswer();
        }
        return Arrays.asList(UUID.randomUUID(), change.organizationId(), change.type().type(), source(function),
                change.subject().toString(), actor.userId(), actor.kind().name().toLowerCase(Locale.ROOT),
                dataOf(change), pending, TraceContext.currentTraceparent());
    }

    /** The CloudEvent {@code source} of events a function emits. */
    public static String source(String function) {
        return "/nexodus/" + function;
    }

    private String dataOf(Change change) {
        JsonNode data = json.valueToTree(change.data());
        for (String field : SECRET_FIELDS) {
            if (data.hasNonNull(field)) {
                // a programming error, not a caller's: the change rolls back rather than publish a credential
                throw new IllegalStateException(change.type().type() + " would publish the secret field " + field);
            }
        }
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request's caller; work that runs outside a request acts as the service. */
    private Caller actor() {
        RoutingContext ctx = currentRequest();
        Caller caller = ctx == null ? null : ctx.get(Caller.CONTEXT_KEY);
        return caller == null ? Caller.service() : caller;
    }

    private RoutingContext currentRequest() {
        return Arc.container().requestContext().isActive() ? request.getCurrent() : null;
    }

    /**
     * The answer is written only after the transaction committed (every function answers with what it
     * committed), so the end of the response is the first moment the row is certainly visible to the relay.
     */
    private void sendAfterAnswer() {
        RoutingContext ctx = currentRequest();
        if (ctx == null) {
            return; // no request: gc's sweep sends it
        }
        if (ctx.get(KICK_REGISTERED) == null) {
            ctx.put(KICK_REGISTERED, Boolean.TRUE);
            ctx.addEndHandler(ended -> relay.kick());
        }
    }
}
