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
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
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

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String pgUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String pgUser;

    @ConfigProperty(name = "quarkus.datasource.password")
    String pgPassword;

    @Test
    void oneChangeWakesTheWatchersOfBothReplicas() throws Exception {
        Path jar = Repo.root().resolve("deploy/local/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("the all-in-one is not packaged: " + jar + " (run mvn verify from the top)");
        }
        String user = Nexd.user("replica");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        Nexd watcherA = new Nexd();
        String tokenA = watcherA.open(watcherA.register(bearer, vpc, "").then().statusCode(201).extract().path("bearer_token"));
        Nexd watcherB = new Nexd();
        String tokenB = watcherB.open(watcherB.register(bearer, vpc, "").then().statusCode(201).extract().path("bearer_token"));
        Nexd peer = new Nexd();
        String peerId = peer.register(bearer, vpc, "").then().statusCode(201).extract().path("id");

        int[] ports = PostgresTestResource.freePorts(2);
        int port = ports[0];
        Path log = Files.createTempFile("replica-2-", ".log");
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PG_URL", pgUrl);
        builder.environment().put("PG_USER", pgUser);
        builder.environment().put("PG_PASSWORD", pgPassword);
        builder.environment().put("PORT", String.valueOf(port));
        builder.environment().put("IPAM_PORT", String.valueOf(ports[1]));
        builder.environment().put("NEXODUS_DEVICE_TOKEN_KEY", PostgresTestResource.DEVICE_TOKEN_KEY);
        Process replica2 = builder.start();
        try {
            String second = "http://localhost:" + port;
            awaitUp(second, replica2, log);
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
        } finally {
            replica2.destroy();
            replica2.waitFor();
        }
    }

    /** The stream's next event, which must be a change of {@code id} (the watchers going online is no change: V13). */
    private static JsonObject changeOf(WatchClient watch, String id) throws InterruptedException {
        JsonObject event = watch.next(10);
        assertEquals("change " + id, event.getString("type") + " " + event.getJsonObject("value", new JsonObject()).getString("id"),
                event.encode());
        return event.getJsonObject("value");
    }

    private static void awaitUp(String url, Process process, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("replica 2 exited: " + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url + "/api/users/me").toURL().openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() == 401) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("replica 2 did not start: " + Files.readString(log));
    }
}
