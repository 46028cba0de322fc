package io.nexodus.fn.fetchpeers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A credential holds at most {@code nexodus.watch.max-streams-per-credential} open watch streams (3 here):
 * the next is 429 with a JSON body naming the credential's header, a closed stream gives its place back,
 * and another credential is not affected.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class StreamQuotaTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<InputStream> watch(String user, String vpc) throws Exception {
        String body = "[{\"kind\":\"device\",\"gt_revision\":0,\"at_tail\":false,\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
        return http.send(HttpRequest.newBuilder(URI.create(base + "api/events"))
                .header("Authorization", TestTokens.bearer(user)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** The user's default VPC (its id is the user's): any authenticated request provisions the user. */
    private String provision(String user) throws Exception {
        watch(user, java.util.UUID.randomUUID().toString()).body().close(); // 404: not a VPC of theirs
        return db.preparedQuery("SELECT id FROM users WHERE user_name = $1").execute(io.vertx.mutiny.sqlclient.Tuple.of(user))
                .await().indefinitely().iterator().next().getUUID(0).toString();
    }

    @Test
    void aCredentialHoldsAtMostItsCapOfOpenStreams() throws Exception {
        String user = TestUsers.unique("streams");
        String vpc = provision(user);
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                HttpResponse<InputStream> stream = watch(user, vpc);
                assertEquals(200, stream.statusCode());
                open.add(stream);
            }
            HttpResponse<InputStream> refused = watch(user, vpc);
            assertEquals(429, refused.statusCode());
            JsonObject error = new JsonObject(new String(refused.body().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("too many requests", error.getString("error"));
            assertEquals("Authorization", error.getString("field"));
            assertTrue(error.getString("reason").contains("3 open watch streams"), error.encode());

            // another user's credential has its own count
            String other = TestUsers.unique("streams-other");
            HttpResponse<InputStream> others = watch(other, provision(other));
            assertEquals(200, others.statusCode());
            open.add(others);

            // a stream the client closes gives its place back
            open.remove(0).body().close();
            boolean reopened = false;
            for (long until = System.nanoTime() + Duration.ofSeconds(10).toNanos(); !reopened && System.nanoTime() < until; ) {
                HttpResponse<InputStream> again = watch(user, vpc);
                reopened = again.statusCode() == 200;
                if (reopened) {
                    open.add(again);
                } else {
                    again.body().close();
                    Thread.sleep(200);
                }
            }
            assertTrue(reopened, "the closed stream's place came back");
        } finally {
            for (HttpResponse<InputStream> stream : open) {
                stream.body().close();
            }
        }
    }
}
