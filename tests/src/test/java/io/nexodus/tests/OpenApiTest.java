package io.nexodus.tests;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.testing.PostgresTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description: the all-in-one's, built by SmallRye OpenAPI at build time from every
 * function's REST resources and served at {@code /q/openapi} with Swagger UI, covers every live REST route
 * of the route table; each function's committed cut ({@link FunctionOpenApi}) is exactly what the route
 * table and that document give (regenerate: {@code -Dnexodus.regenerate=true}), and is served without a
 * token at {@code /openapi/<function>.json}.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OpenApiTest {

    /** Live routes missing from the description, with the reason (none: the watch routes, Vert.x routes the extension cannot see, come from fetch-peers' META-INF/openapi.yaml). */
    static final Set<String> NOT_SCANNED = Set.of();

    @Test
    void theAllInOneDescribesEveryLiveRestRouteAndEachFunctionServesItsOwnCut() throws Exception {
        String text = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        JsonNode merged = new ObjectMapper().readTree(text);
        List<RouteTableTest.Row> rows = RouteTableTest.rows();
        Set<String> functions = new TreeSet<>();
        for (RouteTableTest.Row row : rows) {
            if (!row.status().equals("live")) {
                continue;
            }
            functions.add(row.function());
            boolean described = merged.path("paths").path(row.path()).has(row.method().toLowerCase(Locale.ROOT));
            assertEquals(!NOT_SCANNED.contains(row.key()), described, row.key() + " in /q/openapi");
        }
        for (String function : functions) {
            String cut = FunctionOpenApi.cut(merged, function, rows);
            Path committed = Repo.root().resolve(FunctionOpenApi.path(function));
            if (Boolean.getBoolean("nexodus.regenerate")) {
                Files.createDirectories(committed.getParent());
                Files.writeString(committed, cut);
            }
            assertTrue(Files.isRegularFile(committed), committed + " is missing: regenerate (-Dnexodus.regenerate=true)");
            assertEquals(cut, Files.readString(committed), FunctionOpenApi.path(function)
                    + " differs from the functions' REST resources: regenerate it (-Dnexodus.regenerate=true)");
        }
        // public, like Nexodus's /openapi/*; one function's file as the all-in-one serves them all side by side
        String served = given().get("/openapi/devices.json").then().statusCode(200).extract().asString();
        assertEquals(Files.readString(Repo.root().resolve(FunctionOpenApi.path("devices"))), served);
        given().get("/q/swagger-ui/").then().statusCode(200);
        System.out.printf("openapi: %d paths in the all-in-one's description, cut for %d functions%n",
                merged.path("paths").size(), functions.size());
    }
}
