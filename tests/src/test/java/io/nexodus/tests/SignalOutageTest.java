package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * fetch-peers' change-signal connection held away longer than the hub once tried (1,000 reconnects, here
 * 5 ms apart): readiness says so meanwhile, and once PostgreSQL is reachable again the hub listens again by
 * itself and an open watch stream hears the next change. Liveness stays up throughout.
 */
@QuarkusTest
@WithTestResource(value = SignalsBehindRelay.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class SignalOutageTest {

    @TestHTTPResource("/")
    URL base;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String databaseUrl;

    @Test
    void theHubNeverGivesUpAndTheWatcherHearsTheNextChange() throws Exception {
        // read here, not injected: every test class's injection points are checked in every test application
        int relayPort = ConfigProvider.getConfig().getValue("nexodus.signals.port", Integer.class);
        int databasePort = URI.create(databaseUrl.replaceFirst("^vertx-reactive:", "")).getPort();
        String user = Nexd.user("deaf");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        try (TcpRelay signals = TcpRelay.start(relayPort, databasePort);
                WatchClient stream = new WatchClient(base, "/api/events", bearer,
                        "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]")) {
            stream.untilTail("device");
            String before = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");
            assertEquals(before, stream.next(10).getJsonObject("value").getString("id"));
            given().get("/private/ready").then().statusCode(200).body("status", equalTo("UP"));

            assertTrue(signals.cutAndCount() > 0, "the cut closed the hub's connection");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/private/ready").statusCode() == 503);
            given().get("/q/health/ready").then().statusCode(503).body("checks.find { it.name == 'change-signals' }.status",
                    equalTo("DOWN"));
            // past 1,000 reconnects, where the hub used to give up for good: counted as they reach the relay
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> signals.refused() > 1_100);
            given().get("/private/live").then().statusCode(200).body("status", equalTo("UP"));

            signals.accept();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/private/ready").statusCode() == 200);
            String after = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");
            JsonObject event = stream.next(10);
            assertEquals(after, event.getJsonObject("value").getString("id"), "the watcher heard the next change: " + event);
        }
    }
}
