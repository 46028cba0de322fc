package io.nexodus.shared.tracing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.shared.error.ApiException;
import io.nexodus.shared.http.ErrorResponses;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A 500's {@code trace_id} is the trace's own id when the request is traced, so answer, log line and trace agree. */
class ErrorTraceIdTest {

    @Test
    void aTracedFailureAnswersWithItsTraceId() {
        try (SdkTracerProvider provider = SdkTracerProvider.builder().build()) {
            Span span = provider.get("test").spanBuilder("POST /api/devices").startSpan();
            try (Scope current = span.makeCurrent()) {
                ApiException error = ErrorResponses.toApiException(new IllegalStateException("a bug"));
                assertEquals(500, error.status());
                assertEquals(span.getSpanContext().getTraceId(), error.body().traceId());
            } finally {
                span.end();
            }
        }
    }

    @Test
    void anUntracedFailureAnswersWithARandomId() {
        ApiException error = ErrorResponses.toApiException(new IllegalStateException("a bug"));
        assertDoesNotThrow(() -> UUID.fromString(error.body().traceId()));
    }
}
