package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A watch stream ends by itself after its maximum duration (here shortened to 2 s), cleanly and between
 * events even while devices keep registering, and a client resuming from the last revision it saw gets
 * exactly what it missed, each once.
 */
@QuarkusTest
@TestProfile(WatchLifetimeTest.ShortStreams.class)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class WatchLifetimeTest {

    public static class ShortStreams implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("nexodus.watch.max-duration", "PT2S");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void aStreamEndsByItselfBetweenEventsAndTheClientResumesFromItsLastRevision() throws Exception {
        String user = Nexd.user("lifetime");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Set<String> registered = ConcurrentHashMap.newKeySet();
        registered.add(new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id"));

        // devices keep registering while the first stream runs out, so it ends while events are flowing
        AtomicBoolean registering = new AtomicBoolean(true);
        ExecutorService registrar = Executors.newSingleThreadExecutor();
        Set<String> first = new HashSet<>();
        long last = 0;
        try (WatchClient stream = new WatchClient(base, "/api/events", bearer,
                "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]")) {
            for (JsonObject event : stream.untilTail("device")) {
                last = Math.max(last, record(event, first));
            }
            registrar.submit(() -> {
                for (int i = 0; i < 60 && registering.get(); i++) {
                    registered.add(new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id"));
                }
            });
            long started = System.currentTimeMillis();
            JsonObject event;
            while (!"eof".equals((event = stream.next(10)).getString("type"))) {
                assertEquals("change", event.getString("type"), event.encode());
                last = Math.max(last, record(event, first));
            }
            assertNull(event.getString("reason"), "the stream ended between two whole events: " + event);
            assertTrue(System.currentTimeMillis() - started < 5_000, "within the maximum duration");
        } finally {
            registering.set(false);
            registrar.shutdown();
            assertTrue(registrar.awaitTermination(1, TimeUnit.MINUTES));
        }
        assertTrue(last > 0 && first.size() > 1, "the first stream saw devices: " + first);

        // resumed from the last revision it saw: exactly what it missed, nothing twice
        Set<String> missed = new HashSet<>(registered);
        missed.removeAll(first);
        Set<String> second = new HashSet<>();
        String resume = "[{\"kind\":\"device\",\"gt_revision\":" + last + ",\"at_tail\":true,\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
        try (WatchClient stream = new WatchClient(base, "/api/events", bearer, resume)) {
            while (second.size() < missed.size()) {
                JsonObject event = stream.next(5);
                assertEquals("change", event.getString("type"), "no tail when resuming at_tail, and no end yet: " + event);
                String id = event.getJsonObject("value").getString("id");
                assertTrue(second.add(id), "sent once: " + id);
                assertTrue(!first.contains(id), "already seen before the resume: " + id);
            }
        }
        assertEquals(missed, second, "the resumed stream had what the first missed");
        given().header("Authorization", bearer).contentType(ContentType.JSON).get("/api/vpcs/" + vpc).then().statusCode(200);
    }

    /** Adds a change's device id to {@code seen}; returns its revision. */
    private static long record(JsonObject event, Set<String> seen) {
        if (!"change".equals(event.getString("type"))) {
            return 0;
        }
        assertTrue(seen.add(event.getJsonObject("value").getString("id")), "sent once: " + event.encode());
        return event.getJsonObject("value").getLong("revision");
    }
}
