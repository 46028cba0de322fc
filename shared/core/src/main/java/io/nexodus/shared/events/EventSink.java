package io.nexodus.shared.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.nexodus.shared.tracing.TraceContext;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends one stored event to the sink Knative injects ({@code K_SINK}): the CloudEvents SDK writes it in
 * binary mode (attributes as {@code ce-} headers, the data as a JSON body) onto the JDK's HTTP client.
 *
 * <p>An event recorded under a trace continues it: the send is a {@code PRODUCER} span, child of the request
 * that made the change, and its context goes out twice, as the CloudEvents distributed-tracing extension
 * ({@code ce-traceparent}, which stays with the event through a Broker) and as the HTTP {@code traceparent}
 * header (which Knative's Broker and any traced HTTP receiver, our functions included, read).
 */
@ApplicationScoped
public class EventSink {

    /** An event as stored in the outbox. */
    public record Stored(String id, String type, String source, String subject, OffsetDateTime time, String data,
            String traceparent) {
    }

    /** How one send ended: delivered, refused by the sink (this event), or the sink not reachable (any event). */
    public enum Outcome {
        DELIVERED, REFUSED, UNREACHABLE
    }

    private final Optional<URI> sink;
    private final Duration timeout;
    private final HttpClient http;
    private final Tracer tracer;

    EventSink(@ConfigProperty(name = "nexodus.events.sink") Optional<String> sink,
            @ConfigProperty(name = "nexodus.events.send-timeout") Duration timeout, Instance<Tracer> tracers) {
        this.sink = sink.filter(s -> !s.isBlank()).map(URI::create);
        this.timeout = timeout;
        // none in a build made without tracing (quarkus.otel.enabled=false at build time: docs/operations.md)
        this.tracer = tracers.isResolvable() ? tracers.get() : OpenTelemetry.noop().getTracer("nexodus");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public boolean configured() {
        return sink.isPresent();
    }

    public CompletableFuture<Outcome> send(Stored event) {
        if (event.traceparent() == null) {
            return send(event, null);
        }
        Span span = tracer.spanBuilder(event.type() + " publish").setSpanKind(SpanKind.PRODUCER)
                .setParent(TraceContext.parentFrom(event.traceparent()))
                .setAttribute("messaging.system", "cloudevents")
                .setAttribute("messaging.operation.type", "send")
                .setAttribute("cloudevents.event_id", event.id())
                .setAttribute("cloudevents.event_type", event.type())
                .setAttribute("cloudevents.event_source", event.source())
                .setAttribute("cloudevents.event_subject", event.subject())
                .startSpan();
        // with tracing off the span is the stored context itself, passed on unchanged
        String traceparent = TraceContext.traceparentOf(Context.root().with(span));
        return send(event, traceparent).whenComplete((outcome, failure) -> {
            if (outcome != Outcome.DELIVERED) {
                span.setStatus(StatusCode.ERROR, outcome == null ? String.valueOf(failure) : outcome.name());
            }
            span.end();
        });
    }

    private CompletableFuture<Outcome> send(Stored event, String traceparent) {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(event.id())
                .withType(event.type())
                .withSource(URI.create(event.source()))
                .withSubject(event.subject())
                .withTime(event.time())
                .withDataContentType("application/json")
                .withData(event.data().getBytes(StandardCharsets.UTF_8));
        if (traceparent != null) {
            builder.withExtension(TraceContext.TRACEPARENT, traceparent);
        }
        CloudEvent cloudEvent = builder.build();
        HttpRequest.Builder request = HttpRequest.newBuilder(sink.orElseThrow()).timeout(timeout);
        if (traceparent != null) {
            request.header(TraceContext.TRACEPARENT, traceparent);
        }
        HttpMessageFactory.createWriter(request::header,
                body -> request.POST(HttpRequest.BodyPublishers.ofByteArray(body))).writeBinary(cloudEvent);
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> failure != null ? Outcome.UNREACHABLE
                        : response.statusCode() / 100 == 2 ? Outcome.DELIVERED
                        // the Broker answers 5xx/429 when it cannot take events now: not this event's fault
                        : response.statusCode() >= 500 || response.statusCode() == 429 ? Outcome.UNREACHABLE
                        : Outcome.REFUSED);
    }
}
