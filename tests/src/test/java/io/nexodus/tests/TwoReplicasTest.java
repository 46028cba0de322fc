package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of fetch-peers on one database: this test application, and a second process (the
 * packaged all-in-one) on the same PostgreSQL. A change written through the first wakes the watchers of
 * both, because each replica LISTENs for the signals every writer NOTIFYs.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class TwoReplicasTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void oneChangeWakesTheWatchersOfBothReplicas() throws Exception {
        Path jar = Repo.root().resolve("deploy/local/target/quarkus-app/quarkus-run.jar");
        String user = Nexd.user("replica");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Nexd watcherA = new Nexd();
        String tokenA = watcherA.open(watcherA.register(bearer, vpc, "").then().statusCode(201).extract().path("bearer_token"));
        Nexd watcherB = new Nexd();
        String tokenB = watcherB.open(watcherB.register(bearer, vpc, "").then().statusCode(201).extract().path("bearer_token"));
        Nexd peer = new Nexd();
        String peerId = peer.register(bearer, vpc, "").then().statusCode(201).extract().path("id");

        try (OwnProcess replica2 = OwnProcess.start("replica-2", jar, Map.of())) {
            String second = replica2.base;
            String watch = "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
            try (WatchClient one = new WatchClient(base, "/api/events", "Bearer " + tokenA, watch);
                    WatchClient two = new WatchClient(second, "/api/events", "Bearer " + tokenB, watch)) {
                assertEquals(200, one.status);
                assertEquals(200, two.status);
                one.untilTail("device");
                two.untilTail("device");
                given().header("Authorization", bearer).contentType(ContentType.JSON).body("{\"hostname\":\"moved\"}")
                        .patch("/api/devices/" + peerId).then().statusCode(200);
                assertEquals("moved", changeOf(one, peerId).getString("hostname"));
                assertEquals("moved", changeOf(two, peerId).getString("hostname"));
            }
        }
    }

    /** The stream's next event, which must be a change of {@code id} (the watchers going online is no change: V13). */
    private static JsonObject changeOf(WatchClient watch, String id) throws InterruptedException {
        JsonObject event = watch.next(10);
        assertEquals("change " + id, event.getString("type") + " " + event.getJsonObject("value", new JsonObject()).getString("id"),
                event.encode());
        return event.getJsonObject("value");
    }
}
