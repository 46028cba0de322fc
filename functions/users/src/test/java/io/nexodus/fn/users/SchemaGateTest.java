package io.nexodus.fn.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.nexodus.testing.PostgresTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * New code on an old schema (the migration Job has not run yet): the replica is not ready, so Knative sends it
 * nothing; it says which version it waits for and which it found. (That it becomes ready on the current schema
 * is every other test's readiness.)
 */
@QuarkusTest
@WithTestResource(value = SchemaGateTest.SchemaFromTheFuture.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class SchemaGateTest {

    /** The test database, migrated to the newest migration, and code that needs one more. */
    public static class SchemaFromTheFuture extends PostgresTestResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            config.put("nexodus.schema.required", Integer.toString(io.nexodus.shared.health.SchemaReadiness.REQUIRED + 1));
            return config;
        }
    }

    @Test
    void codeThatNeedsANewerSchemaIsNotReady() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'schema' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'schema' }.data.required", equalTo(io.nexodus.shared.health.SchemaReadiness.REQUIRED + 1))
                .body("checks.find { it.name == 'schema' }.data.found", equalTo(io.nexodus.shared.health.SchemaReadiness.REQUIRED));
        given().get("/q/health/live").then().statusCode(200);
    }
}
