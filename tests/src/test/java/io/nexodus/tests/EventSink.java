package io.nexodus.tests;

import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.nexodus.testing.LoopbackHttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real HTTP sink for outbound events, started for the test class and given to the functions as
 * {@code K_SINK} ({@code nexodus.events.sink}): it reads each binary-mode request with the CloudEvents
 * SDK and keeps it. While {@link #down} it answers 503, as a Broker that cannot take events does; an event
 * {@link #refuse} matches gets 400. Like a Broker with Eventing's sender authentication and an EventPolicy, it
 * answers 401 to a request without the sender identity it hands the functions (the token file a SinkBinding
 * mounts, {@code nexodus.events.sink-token-file}); {@link #renewIdentity} rewrites the file, as Eventing's
 * reconciler does before a token expires.
 */
public class EventSink implements QuarkusTestResourceLifecycleManager {

    static final List<CloudEvent> RECEIVED = new ArrayList<>();
    static volatile boolean down;
    /** Events the sink refuses with 400 (as a Broker refuses one it cannot take), not keeping them. */
    static volatile Predicate<CloudEvent> refuse = event -> false;
    private static HttpServer server;
    private static Path tokenFile;
    private static volatile String identity;
    /** Deliveries the sink refused for a missing or wrong sender identity. */
    static final AtomicInteger UNAUTHENTICATED = new AtomicInteger();

    @Override
    public Map<String, String> start() {
        try {
            tokenFile = Files.createTempFile("sink-identity", ".token");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        renewIdentity();
        server = LoopbackHttpServer.start(exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!("Bearer " + identity).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                UNAUTHENTICATED.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            if (down) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            CloudEvent event = HttpMessageFactory.createReader(headers, body).toEvent();
            if (refuse.test(event)) {
                exchange.sendResponseHeaders(400, -1);
                exchange.close();
                return;
            }
            synchronized (RECEIVED) {
                RECEIVED.add(event);
            }
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        return Map.of("nexodus.events.sink", LoopbackHttpServer.baseUrl(server) + "/",
                "nexodus.events.sink-token-file", tokenFile.toString());
    }

    @Override
    public void stop() {
        server.stop(0);
        try {
            Files.deleteIfExists(tokenFile);
        } catch (IOException ignored) {
            // a temporary file
        }
    }

    /** No sender identity: the token file is gone, as where Eventing's sender authentication is off. */
    static void dropIdentity() {
        try {
            Files.deleteIfExists(tokenFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new sender identity, written where the functions read it; the old one is refused from now on. */
    static void renewIdentity() {
        String renewed = "oidc-" + UUID.randomUUID();
        try {
            // written beside and moved into place, as the kubelet swaps a projected volume's files
            Path next = tokenFile.resolveSibling(tokenFile.getFileName() + ".next");
            Files.writeString(next, renewed + "\n");
            Files.setLastModifiedTime(next, FileTime.from(Instant.now().plusSeconds(1)));
            Files.move(next, tokenFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        identity = renewed;
    }

    static List<CloudEvent> received(Predicate<CloudEvent> which) {
        synchronized (RECEIVED) {
            return RECEIVED.stream().filter(which).toList();
        }
    }

    /** Waits until {@code count} matching events arrived (sends happen after the answer, in the background). */
    static List<CloudEvent> await(Predicate<CloudEvent> which, int count, Duration patience) {
        long until = System.nanoTime() + patience.toNanos();
        List<CloudEvent> found = received(which);
        while (found.size() < count && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            found = received(which);
        }
        return found;
    }
}
