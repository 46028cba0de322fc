package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Metrics are off unless switched on (docs/operations.md "Metrics"): after real requests, {@code /q/metrics}
 * answers with no sample at all, so nothing was recorded (shared/observability {@code MetricsSwitch}).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class MetricsOffTest {

    @Test
    void offByDefaultNothingIsRecorded() {
        String user = Nexd.user("metrics-off");
        String vpc = Nexd.defaultVpc(user);
        new Nexd().register(TestTokens.bearer(user), vpc, "").then().statusCode(201);
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> samples = Arrays.stream(body.split("\n")).filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertEquals(List.of(), samples);
    }
}
