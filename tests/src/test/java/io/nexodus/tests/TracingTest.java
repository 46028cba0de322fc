package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.CloudEvent;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.nexodus.tests.OtlpReceiver.ReceivedSpan;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Traces (docs/operations.md, "Traces"): with an OTLP endpoint configured (a real receiver, {@link OtlpReceiver}),
 * one trace runs from the HTTP call through its SQL statements and its IPAM gRPC calls to the CloudEvent it sends
 * (the real sink, {@link EventSink}), although the event leaves after the answer, from the outbox; and a CloudEvent
 * that arrives with a {@code traceparent} is handled inside the sender's trace and passes it on.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = EventSink.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = OtlpReceiver.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class TracingTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    /** Trace id and parent span id of a {@code traceparent} ({@code 00-<trace>-<span>-<flags>}). */
    private static String[] parts(String traceparent) {
        assertNotNull(traceparent, "the event carries a traceparent");
        String[] parts = traceparent.split("-");
        assertEquals(4, parts.length, traceparent);
        return new String[] {parts[1], parts[2]};
    }

    private static CloudEvent event(String subject, String type) {
        List<CloudEvent> found = EventSink.await(e -> subject.equals(e.getSubject()) && type.equals(e.getType()), 1,
                PATIENCE);
        assertEquals(1, found.size(), type + " of " + subject);
        return found.get(0);
    }

    private static ReceivedSpan span(String traceId, String what, Predicate<ReceivedSpan> which) {
        List<ReceivedSpan> found = OtlpReceiver.await(s -> s.traceId().equals(traceId) && which.test(s), PATIENCE);
        assertFalse(found.isEmpty(), "no " + what + " in trace " + traceId + " (" + OtlpReceiver.summary()
                + "); it has:\n" + OtlpReceiver
                .received(s -> s.traceId().equals(traceId)).stream().map(Objects::toString)
                .collect(Collectors.joining("\n")));
        return found.get(0);
    }

    @Test
    void anEndpointTurnsTracingOn() {
        assertEquals(Boolean.FALSE, ConfigProvider.getConfig().getValue("quarkus.otel.sdk.disabled", Boolean.class));
    }

    @Test
    void oneTraceSpansARegistrationItsSqlItsIpamCallsAndItsEvent() {
        String user = Nexd.user("trace-register");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        String device = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");

        String[] sent = parts((String) event(device, "io.nexodus.device.registered").getExtension("traceparent"));
        String traceId = sent[0];
        ReceivedSpan server = span(traceId, "HTTP server span of POST /api/devices",
                s -> s.kind().equals("SPAN_KIND_SERVER") && s.name().contains("/api/devices"));
        assertEquals("", server.parentSpanId().replace("0", ""), "the HTTP call starts the trace");
        span(traceId, "SQL statement", s -> s.kind().equals("SPAN_KIND_CLIENT")
                && s.attributes().keySet().stream().anyMatch(k -> k.startsWith("db.")));
        span(traceId, "IPAM gRPC client call", s -> s.kind().equals("SPAN_KIND_CLIENT")
                && "grpc".equals(s.attributes().get("rpc.system")) && s.name().contains("IpamService"));
        ReceivedSpan publish = span(traceId, "event send", s -> s.kind().equals("SPAN_KIND_PRODUCER")
                && s.name().equals("io.nexodus.device.registered publish"));
        assertEquals(publish.spanId(), sent[1], "the event's traceparent is its send span");
        assertEquals(server.spanId(), publish.parentSpanId(), "the send continues the request that made the change");
        System.out.println("the registration's trace " + traceId + ":\n" + OtlpReceiver.received(s -> s.traceId()
                .equals(traceId)).stream().map(s -> "  " + s.kind() + " " + s.name() + " (" + s.service() + ")")
                .collect(Collectors.joining("\n")));
    }

    @Test
    void aCloudEventIsHandledInsideItsSendersTraceAndPassesItOn() {
        String user = Nexd.user("trace-event");
        String bearer = TestTokens.bearer(user);
        String org = Nexd.defaultVpc(user);
        String vpc = given().header("Authorization", bearer).contentType(ContentType.JSON)
                .body("{\"organization_id\":\"" + org + "\",\"description\":\"one\"}").post("/api/vpcs")
                .then().statusCode(201).extract().path("id");
        HexFormat hex = HexFormat.of();
        String traceId = hex.formatHex(randomBytes(16));
        String senderSpan = hex.formatHex(randomBytes(8));
        // binary mode: the trace context is an HTTP header, as Knative's Broker sends it
        given().header("ce-authorization", bearer).contentType(ContentType.JSON)
                .header("ce-id", UUID.randomUUID().toString()).header("ce-specversion", "1.0")
                .header("ce-source", "/tests/tracing").header("ce-type", "io.nexodus.vpc.update")
                .header("traceparent", "00-" + traceId + "-" + senderSpan + "-01")
                .body("{\"id\":\"" + vpc + "\",\"description\":\"two\"}").post("/").then().statusCode(200);

        assertEquals(traceId, parts((String) event(vpc, "io.nexodus.vpc.updated").getExtension("traceparent"))[0],
                "the event it caused continues the sender's trace");
        ReceivedSpan server = span(traceId, "HTTP server span of the CloudEvent", s -> s.kind().equals("SPAN_KIND_SERVER"));
        assertEquals(senderSpan, server.parentSpanId(), "handled as the sender's child");
        assertTrue(OtlpReceiver.received(s -> s.traceId().equals(traceId) && s.kind().equals("SPAN_KIND_CLIENT")
                && s.attributes().keySet().stream().anyMatch(k -> k.startsWith("db."))).size() > 0, "with its SQL");
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        bytes[0] |= 1; // never all zero (an invalid id)
        return bytes;
    }
}
