package io.nexodus.shared.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.error.ApiException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import io.nexodus.shared.database.DatabaseFailures;
import io.nexodus.shared.tracing.TraceContext;
import java.net.ConnectException;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Turns any failure into the answer a caller gets: a status and a Nexodus JSON error body. Used by the
 * route failure handler (Funqy bindings, authentication) and the REST exception mapper, so every
 * binding answers the same failure the same way.
 */
public final class ErrorResponses {

    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    public static void write(RoutingContext ctx, Throwable failure) {
        write(ctx, toApiException(failure));
    }

    public static void write(RoutingContext ctx, ApiException error) {
        if (ctx.response().ended()) {
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        ctx.response().setStatusCode(error.status()).putHeader("Content-Type", "application/json");
        retryAfter(error).ifPresent(seconds -> ctx.response().putHeader(RETRY_AFTER, seconds));
        ctx.response().end(Json.encode(error.body()));
    }

    static final String RETRY_AFTER = "Retry-After";

    /**
     * Every 503 is a backend that is away for a moment (a database restarting, IPAM unreachable): say when to
     * come back, so that clients and proxies retry instead of giving up. One second: what a restart or a
     * failover's first phase takes, and short enough not to stall a registering agent.
     */
    static java.util.Optional<String> retryAfter(ApiException error) {
        return error.status() == 503 ? java.util.Optional.of("1") : java.util.Optional.empty();
    }

    /** Maps what function logic, Jackson or a backend throws to the error a caller should see. */
    public static ApiException toApiException(Throwable failure) {
        Throwable cause = rootApiCause(failure);
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return ApiErrors.invalidField(fieldPath(unknown), "unknown field");
        }
        if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return ApiErrors.invalidField(fieldPath(mapping), "wrong type or format");
        }
        if (cause instanceof JsonProcessingException json) {
            return ApiErrors.validation("request json is invalid: " + json.getOriginalMessage(), null);
        }
        if (DatabaseFailures.isUnavailable(failure)) {
            LOG.warnf("backend unavailable: %s", cause.getMessage());
            return ApiErrors.unavailable("a backend is unavailable, retry later");
        }
        // the trace's own id when the request is traced, so the answer, this line and the trace agree
        String traceId = TraceContext.currentTraceId().orElseGet(() -> UUID.randomUUID().toString());
        LOG.errorf(failure, "internal error %s", traceId);
        return ApiErrors.internal(traceId);
    }

    private static Throwable rootApiCause(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 10; depth++) {
            if (t instanceof ApiException || t instanceof JsonProcessingException || t instanceof ConnectException
                    || t instanceof PgException) {
                return t;
            }
            if (t.getCause() == null || t.getCause() == t) {
                return t;
            }
            t = t.getCause();
        }
        return failure;
    }

    /** Jackson's path as the Nexodus field name: {@code rules[0].port}. */
    static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }
}
