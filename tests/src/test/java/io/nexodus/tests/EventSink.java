package io.nexodus.tests;

import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.nexodus.testing.LoopbackHttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real HTTP sink for outbound events, started for the test class and given to the functions as
 * {@code K_SINK} ({@code nexodus.events.sink}): it reads each binary-mode request with the CloudEvents
 * SDK and keeps it. While {@link #down} it answers 503, as a Broker that cannot take events does; an event
 * {@link #refuse} matches gets 400.
 */
public class EventSink implements QuarkusTestResourceLifecycleManager {

    static final List<CloudEvent> RECEIVED = new ArrayList<>();
    static volatile boolean down;
    /** Events the sink refuses with 400 (as a Broker refuses one it cannot take), not keeping them. */
    static volatile Predicate<CloudEvent> refuse = event -> false;
    private static HttpServer server;

    @Override
    public Map<String, String> start() {
        server = LoopbackHttpServer.start(exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
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
        return Map.of("nexodus.events.sink", LoopbackHttpServer.baseUrl(server) + "/");
    }

    @Override
    public void stop() {
        server.stop(0);
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
