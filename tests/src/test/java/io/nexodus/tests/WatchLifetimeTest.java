package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A watch stream ends by itself after its maximum duration (here shortened to 2 s), cleanly and between
 * events, and the client resumes from its last revision with nothing lost in between.
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
    void aStreamEndsByItselfAndTheClientResumes() throws Exception {
        String user = Nexd.user("lifetime");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        String watch = "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
        long last = 0;
        try (WatchClient stream = new WatchClient(base.toString().replaceFirst("/$", ""), "/api/events", bearer, watch)) {
            stream.untilTail("device");
            long started = System.currentTimeMillis();
            JsonObject end = stream.next(10);
            assertEquals("eof", end.getString("type"), "the stream ended cleanly: " + end);
            assertTrue(end.getString("reason") == null, "no error at the end: " + end);
            assertTrue(System.currentTimeMillis() - started < 5_000, "within the maximum duration");
        }
        // between two streams a device registers: the resumed stream has it, and only it
        String id = new Nexd().register(bearer, vpc, "").then().statusCode(201).extract().path("id");
        String resume = "[{\"kind\":\"device\",\"gt_revision\":" + last + ",\"at_tail\":true,\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
        try (WatchClient stream = new WatchClient(base.toString().replaceFirst("/$", ""), "/api/events", bearer, resume)) {
            JsonObject event = stream.next(5);
            assertEquals(id, event.getJsonObject("value").getString("id"));
            assertEquals("eof", stream.next(10).getString("type"), "and it ends again by itself");
        }
        given().header("Authorization", bearer).contentType(ContentType.JSON).get("/api/vpcs/" + vpc).then().statusCode(200);
    }
}
