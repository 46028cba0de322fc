package io.nexodus.fn.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.DiscoveryStub;
import io.nexodus.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /device/login/start} is public: while the provider's discovery document fails (slowly), a burst
 * of callers costs the provider one request, and so do the callers that come within the failure's keep.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = DiscoveryStub.class, scope = TestResourceScope.RESTRICTED_TO_CLASS, initArgs = {
        @ResourceArg(name = "status", value = "500"), @ResourceArg(name = "delay-ms", value = "300"),
        @ResourceArg(name = "failure-keep", value = "PT3S")})
class DiscoveryOutageTest {

    @Test
    void aFailingProviderIsAskedOnceByABurstAndNotAgainUntilTheFailureIsOld() throws Exception {
        int before = DiscoveryStub.REQUESTS.get();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Integer>> starts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                starts.add(() -> given().post("/device/login/start").then().statusCode(503)
                        .body("error", equalTo("service unavailable")).extract().statusCode());
            }
            for (Future<Integer> answer : pool.invokeAll(starts)) {
                assertEquals(503, answer.get());
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 5; i++) {
            given().post("/device/login/start").then().statusCode(503);
        }
        assertEquals(1, DiscoveryStub.REQUESTS.get() - before, "one fetch for the burst and the callers after it");

        Thread.sleep(3_100); // the failure is older than its keep: the next caller asks the provider again
        given().post("/device/login/start").then().statusCode(503);
        assertEquals(2, DiscoveryStub.REQUESTS.get() - before);
    }
}
