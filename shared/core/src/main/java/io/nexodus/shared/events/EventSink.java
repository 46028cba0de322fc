package io.nexodus.shared.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 */
@ApplicationScoped
public class EventSink {

    /** An event as stored in the outbox. */
    public record Stored(String id, String type, String source, String subject, OffsetDateTime time, String data) {
    }

    /** How one send ended: delivered, refused by the sink (this event), or the sink not reachable (any event). */
    public enum Outcome {
        DELIVERED, REFUSED, UNREACHABLE
    }

    private final Optional<URI> sink;
    private final Duration timeout;
    private final Vertx vertx;
    /** Made on the first send: a replica without a sink (or that never sends) opens nothing. */
    private volatile HttpClient http;

    EventSink(@ConfigProperty(name = "nexodus.events.sink") Optional<String> sink,
            @ConfigProperty(name = "nexodus.events.send-timeout") Duration timeout, Vertx vertx) {
        this.sink = sink.filter(s -> !s.isBlank()).map(URI::create);
        this.timeout = timeout;
        this.vertx = vertx;
    }

    public boolean configured() {
        return sink.isPresent();
    }

    public CompletionStage<Outcome> send(Stored event) {
        CloudEvent cloudEvent = CloudEventBuilder.v1()
                .withId(event.id())
                .withType(event.type())
                .withSource(URI.create(event.source()))
                .withSubject(event.subject())
                .withTime(event.time())
                .withDataContentType("application/json")
                .withData(event.data().getBytes(StandardCharsets.UTF_8))
                .build();
        MultiMap headers = HttpHeaders.headers();
        Buffer[] body = {Buffer.buffer()};
        HttpMessageFactory.createWriter(headers::add, bytes -> body[0] = Buffer.buffer(bytes)).writeBinary(cloudEvent);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(sink.orElseThrow().toString()).setHeaders(headers).setTimeout(timeout.toMillis());
        return client().request(request)
                .compose(req -> req.send(body[0]))
                // the body is read (and dropped) so that the connection can carry the next event
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .map(status -> status / 100 == 2 ? Outcome.DELIVERED
                        // the Broker answers 5xx/429 when it cannot take events now: not this event's fault
                        : status >= 500 || status == 429 ? Outcome.UNREACHABLE
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
