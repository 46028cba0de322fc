package io.nexodus.tests;

import com.sun.net.httpserver.HttpServer;
import io.nexodus.testing.LoopbackHttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP/HTTP trace receiver, started for the test class: the functions export to it over the network as
 * they would to a collector ({@code http/protobuf}, {@code POST /v1/traces}), and it decodes each request with
 * the protocol's own classes. Configuring it is configuring an endpoint, which is what turns tracing on
 * ({@code shared.tracing.TracingSwitch}).
 */
public class OtlpReceiver implements QuarkusTestResourceLifecycleManager {

    /** One exported span, as the receiver decoded it. */
    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, String kind,
            Map<String, String> attributes) {
    }

    static final List<ReceivedSpan> SPANS = new ArrayList<>();
    /** Requests the receiver could not read, for a failing test to show. */
    static final List<String> FAILURES = new ArrayList<>();
    private static HttpServer server;

    @Override
    public Map<String, String> start() {
        server = LoopbackHttpServer.start(exchange -> {
            try {
                receive(exchange);
            } catch (RuntimeException | IOException | LinkageError e) {
                synchronized (SPANS) {
                    FAILURES.add(exchange.getRequestURI() + ": " + e);
                }
                exchange.sendResponseHeaders(500, -1);
                exchange.close();
            }
        });
        return Map.of("quarkus.otel.exporter.otlp.endpoint", LoopbackHttpServer.baseUrl(server),
                "quarkus.otel.exporter.otlp.protocol", "http/protobuf",
                // export within a moment, not the batch processor's default 5 s
                "quarkus.otel.bsp.schedule.delay", "100ms");
    }

    private static void receive(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
            InputStream in = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in);
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
            List<ReceivedSpan> decoded = new ArrayList<>();
            for (ResourceSpans resource : request.getResourceSpansList()) {
                String service = attributes(resource.getResource().getAttributesList()).get("service.name");
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    scope.getSpansList().forEach(span -> decoded.add(new ReceivedSpan(service,
                            hex(span.getTraceId().toByteArray()), hex(span.getSpanId().toByteArray()),
                            hex(span.getParentSpanId().toByteArray()), span.getName(), span.getKind().name(),
                            attributes(span.getAttributesList()))));
                }
            }
            synchronized (SPANS) {
                SPANS.addAll(decoded);
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
    }

    @Override
    public void stop() {
        server.stop(0);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static Map<String, String> attributes(List<KeyValue> values) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (KeyValue kv : values) {
            var v = kv.getValue();
            out.put(kv.getKey(), v.hasStringValue() ? v.getStringValue() : v.hasIntValue() ? String.valueOf(v.getIntValue())
                    : v.hasBoolValue() ? String.valueOf(v.getBoolValue()) : v.toString().trim());
        }
        return out;
    }

    /** What arrived, for a failing test's message. */
    static String summary() {
        synchronized (SPANS) {
            return SPANS.size() + " spans received, unreadable requests: " + FAILURES;
        }
    }

    static List<ReceivedSpan> received(Predicate<ReceivedSpan> which) {
        synchronized (SPANS) {
            return SPANS.stream().filter(which).toList();
        }
    }

    /** Waits until a span matching {@code which} arrived; returns the matching ones (empty when none came). */
    static List<ReceivedSpan> await(Predicate<ReceivedSpan> which, Duration patience) {
        long until = System.nanoTime() + patience.toNanos();
        List<ReceivedSpan> found = received(which);
        while (found.isEmpty() && System.nanoTime() < until) {
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
