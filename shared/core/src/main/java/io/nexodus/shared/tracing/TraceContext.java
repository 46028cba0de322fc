package io.nexodus.shared.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;
import java.util.Optional;

/**
 * The W3C trace context ({@code traceparent}) as text, for what outlives the request that made it: an
 * outbound event is recorded in the outbox with its request's context and sent later, as the continuation
 * of that trace. With tracing off no span is current and every answer here is empty.
 */
public final class TraceContext {

    public static final String TRACEPARENT = "traceparent";

    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private TraceContext() {
    }

    /** The current span's {@code traceparent}, or null when no span is current (tracing off, or outside a request). */
    public static String currentTraceparent() {
        return traceparentOf(Context.current());
    }

    /** The trace id of the current span, when there is one: what a 500's {@code trace_id} and its log line carry. */
    public static Optional<String> currentTraceId() {
        SpanContext span = Span.current().getSpanContext();
        return span.isValid() ? Optional.of(span.getTraceId()) : Optional.empty();
    }

    /** The context a stored {@code traceparent} names, as a parent for the work that continues it. */
    public static Context parentFrom(String traceparent) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of(TRACEPARENT, traceparent),
                FROM_MAP);
    }

    /** {@code traceparent} of the span in {@code context}, or null when it has no valid span. */
    public static String traceparentOf(Context context) {
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        String[] written = new String[1];
        W3CTraceContextPropagator.getInstance().inject(context, written, (carrier, key, value) -> {
            if (TRACEPARENT.equals(key)) {
                carrier[0] = value;
            }
        });
        return written[0];
    }
}
