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
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends one stored event to the sink Knative injects ({@code K_SINK}): the CloudEvents SDK writes it in
 * binary mode (attributes as {@code ce-} headers, the data as a JSON body) onto the Vert.x HTTP client
 * the application already runs (one kept-alive connection, answers handled on its event loop).
 *
 * <p>Not the JDK's {@code HttpClient}: its {@code sendAsync} hands every answer to the default
 * {@code CompletableFuture} executor, which on a machine (or a pod's CPU limit) of two cores or fewer is
 * a new thread per task, so every event cost a thread start, and the relay's next send and its database
 * statements then ran on that thread (measured in the register-device benchmark, docs/benchmarks.md).
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
    private final Vertx vertx;
    private final Tracer tracer;
    private final SinkToken identity;
    /** Made on the first send: a replica without a sink (or that never sends) opens nothing. */
    private volatile HttpClient http;

    EventSink(@ConfigProperty(name = "nexodus.events.sink") Optional<String> sink,
            @ConfigProperty(name = "nexodus.events.send-timeout") Duration timeout,
            @ConfigProperty(name = "nexodus.events.sink-token-file") String tokenFile, Vertx vertx,
            Instance<Tracer> tracers) {
        this.sink = sink.filter(s -> !s.isBlank()).map(URI::create);
        this.identity = new SinkToken(Path.of(tokenFile));
        this.timeout = timeout;
        this.vertx = vertx;
        // none in a build made without tracing (quarkus.otel.enabled=false at build time: docs/operations.md)
        this.tracer = tracers.isResolvable() ? tracers.get() : OpenTelemetry.noop().getTracer("nexodus");
    }

    public boolean configured() {
        return sink.isPresent();
    }

    public CompletionStage<Outcome> send(Stored event) {
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

    private CompletionStage<Outcome> send(Stored event, String traceparent) {
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
        MultiMap headers = HttpHeaders.headers();
        if (traceparent != null) {
            headers.add(TraceContext.TRACEPARENT, traceparent);
        }
        identity.current().ifPresent(token -> headers.add(HttpHeaders.AUTHORIZATION, "Bearer " + token));
        Buffer[] body = {Buffer.buffer()};
        HttpMessageFactory.createWriter(headers::add, bytes -> body[0] = Buffer.buffer(bytes)).writeBinary(cloudEvent);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(sink.orElseThrow().toString()).setHeaders(headers).setTimeout(timeout.toMillis());
        return client().request(request)
                .compose(req -> req.send(body[0]))
                // the body is read (and dropped) so that the connection can carry the next event
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .map(status -> status / 100 == 2 ? Outcome.DELIVERED
                        // the Broker answers 5xx/429 when it cannot take events now, 401/403 when it does not
                        // take this sender's identity (components/event-policy): not this event's fault
                        : status >= 500 || status == 429 || status == 401 || status == 403 ? Outcome.UNREACHABLE
                        : Outcome.REFUSED)
                .otherwise(Outcome.UNREACHABLE)
                .toCompletionStage();
    }

    private HttpClient client() {
        HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    // the relay sends one event at a time (order per subject), so one connection is all it uses
                    http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(1)
                            .setConnectTimeout((int) timeout.toMillis()));
                }
                client = http;
            }
        }
        return client;
    }
}
