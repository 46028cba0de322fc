package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which HTTP a function speaks. Over HTTP/2 (h2c with prior knowledge, the way Java's and Go's clients reach a
 * server that offers it) every REST request with a body was answered 500 "Request has already been read"
 * (quarkusio/quarkus#34393: RESTEasy Reactive pauses a request that Funqy's body handler has already read, and
 * Vert.x throws for an ended HTTP/2 request). The functions now speak HTTP/1.1 only, as everything in a
 * deployment does: a client offering an h2c upgrade is served over HTTP/1.1, a client insisting on HTTP/2 gets
 * no answer, and no request is half-served.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class Http2RequestsTest {

    @TestHTTPResource("/")
    URL app;

    @Inject
    Vertx vertx;

    @Test
    void aClientOfferingHttp2IsServedOverHttp11() throws Exception {
        // Java's client prefers HTTP/2: on http:// it offers an h2c upgrade with every request
        java.net.http.HttpClient preferringHttp2 = java.net.http.HttpClient.newHttpClient();
        String bearer = TestTokens.bearer(Nexd.user("h2-upgrade"));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> created = preferringHttp2.send(HttpRequest.newBuilder(URI.create(app + "api/organizations"))
                    .header("Authorization", bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"h2-" + UUID.randomUUID().toString().substring(0, 8) + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, created.version());
        }
    }

    @Test
    void aClientInsistingOnHttp2IsRefusedBeforeAnyWork() {
        HttpClient priorKnowledge = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        String user = Nexd.user("h2-prior");
        String name = "h2p-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            ExecutionException refused = assertThrows(ExecutionException.class, () -> priorKnowledge
                    .request(new RequestOptions().setMethod(HttpMethod.POST).setHost(app.getHost()).setPort(app.getPort())
                            .setURI("/api/organizations").addHeader("Authorization", TestTokens.bearer(user))
                            .addHeader("Content-Type", "application/json"))
                    .compose(request -> request.send(Buffer.buffer("{\"name\":\"" + name + "\"}")))
                    .compose(response -> response.body().map(body -> response.statusCode() + " " + body))
                    .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
            System.out.println("HTTP/2 with prior knowledge: " + refused.getCause());
        } finally {
            priorKnowledge.close();
        }
        io.restassured.RestAssured.given().header("Authorization", TestTokens.bearer(user))
                .queryParam("filter", "{\"name\":\"" + name + "\"}").get("/api/organizations").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.is(0));
    }
}
