package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.net.URL;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A replica told to stop ends its open watch streams cleanly at once, as at their maximum duration, so that
 * nexd resumes on another replica and the graceful shutdown is not held by minute-long streams. Quarkus
 * fires {@link ShutdownDelayInitiatedEvent} before it waits for requests in flight, and only when the build
 * enables it: both are checked here (the event is fired by the test, as Quarkus's pre-shutdown step does).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class WatchShutdownTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    Event<ShutdownDelayInitiatedEvent> shutdown;

    @Test
    void theBuildHasQuarkusFireTheEventBeforeItsGracefulWait() {
        assertTrue(ConfigProvider.getConfig().getValue("quarkus.shutdown.delay-enabled", Boolean.class),
                "quarkus.shutdown.delay-enabled (fetch-peers' microprofile-config.properties)");
    }

    @Test
    void aStoppingReplicaEndsItsStreamsCleanlyAtOnce() throws Exception {
        String user = Nexd.user("shutdown");
        String bearer = TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        Nexd agent = new Nexd();
        Response registered = agent.register(bearer, vpc, "").then().statusCode(201).extract().response();
        String deviceBearer = "Bearer " + agent.open(registered.path("bearer_token"));
        String watches = "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
        try (WatchClient owner = new WatchClient(base, "/api/events", bearer, watches);
                WatchClient device = new WatchClient(base, "/api/events", deviceBearer, watches)) {
            owner.untilTail("device");
            device.untilTail("device");
            long fired = System.nanoTime();
            shutdown.fire(new ShutdownDelayInitiatedEvent());
            for (WatchClient stream : new WatchClient[] {owner, device}) {
                // nothing before the end: the device's own stream marked it online, which is no change (V13)
                JsonObject event = stream.next(5);
                assertEquals("eof", event.getString("type"), "the stream ended, without an error event: " + event);
                assertNull(event.getString("reason"), "cleanly, between two whole events: " + event);
            }
            assertTrue(System.nanoTime() - fired < 3_000_000_000L, "at once, not at the maximum duration");
        }
        // the replica goes on serving what it still gets (Knative routes nothing new to it by then)
        given().header("Authorization", bearer).get("/api/vpcs/" + vpc + "/devices").then().statusCode(200);
        // but takes no new stream: one opened now would hold the graceful shutdown for all of QUARKUS_SHUTDOWN_TIMEOUT
        // and then be cut. Where nothing drains the replica first (the front door straight to a process, a plain
        // Deployment), the agents that just reconnected came straight back here: 5,000 of them held fetch-peers'
        // exit for 27 s (the fleet simulator, --topology=functions). A 503 sends nexd to retry, elsewhere or later.
        given().header("Authorization", deviceBearer).contentType("application/json").body(watches).post("/api/events")
                .then().statusCode(503).body("reason", org.hamcrest.Matchers.containsString("stopping"));
    }
}
