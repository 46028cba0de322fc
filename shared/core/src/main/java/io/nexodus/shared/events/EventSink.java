package io.nexodus.shared.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import jakarta.enterprise.context.ApplicationScoped;
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
    private final HttpClient http;

    EventSink(@ConfigProperty(name = "nexodus.events.sink") Optional<String> sink,
            @ConfigProperty(name = "nexodus.events.send-timeout") Duration timeout) {
        this.sink = sink.filter(s -> !s.isBlank()).map(URI::create);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public boolean configured() {
        return sink.isPresent();
    }

    public CompletableFuture<Outcome> send(Stored event) {
        CloudEvent cloudEvent = CloudEventBuilder.v1()
                .withId(event.id())
                .withType(event.type())
                .withSource(URI.create(event.source()))
                .withSubject(event.subject())
                .withTime(event.time())
                .withDataContentType("application/json")
                .withData(event.data().getBytes(StandardCharsets.UTF_8))
                .build();
        HttpRequest.Builder request = HttpRequest.newBuilder(sink.orElseThrow()).timeout(timeout);
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
