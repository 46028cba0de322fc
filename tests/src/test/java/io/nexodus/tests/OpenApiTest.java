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

    /**
     * The description a person tries first in Swagger UI: "Authorize" takes effect (every operation that needs a
     * token says so; those that take none say that), operations are grouped by resource, not by Java class, and a
     * create's documented success is the status it really answers.
     */
    @Test
    void swaggerUiCanTryEveryOperationWithAPastedTokenAndItsStatusesAreTheRealOnes() throws Exception {
        JsonNode merged = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString());
        assertEquals("http", merged.at("/components/securitySchemes/bearer/type").asText());
        assertEquals("bearer", merged.at("/components/securitySchemes/bearer/scheme").asText());
        List<String> wrong = new java.util.ArrayList<>();
        merged.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            String key = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
            JsonNode operation = op.getValue();
            boolean open = path.getKey().startsWith("/device/") || path.getKey().startsWith("/dev/")
                    || path.getKey().startsWith("/web/");
            JsonNode security = operation.path("security");
            if (open ? !(security.isArray() && security.isEmpty()) : !security.toString().equals("[{\"bearer\":[]}]")) {
                wrong.add(key + ": security " + security);
            }
            JsonNode tags = operation.path("tags");
            if (tags.size() != 1 || tags.get(0).asText().endsWith("Route") || tags.get(0).asText().contains("Tokens")) {
                wrong.add(key + ": tags " + tags);
            }
            JsonNode responses = operation.path("responses");
            if (responses.has("200") && (responses.has("201") || responses.has("204"))) {
                wrong.add(key + ": two successes " + responses.fieldNames());
            }
            if (!open && !(responses.has("401") && responses.has("403"))) {
                wrong.add(key + ": 401/403 not documented");
            }
        }));
        if (java.util.regex.Pattern.compile("<[a-zA-Z_]+>").matcher(merged.toString()).find()) {
            wrong.add("a <placeholder> Swagger UI would render as an HTML tag");
        }
        assertEquals(List.of(), wrong);

        // what the description says a create answers is what it answers
        String user = Nexd.user("openapi");
        String bearer = io.nexodus.testing.TestTokens.bearer(user);
        String vpc = Nexd.defaultVpc(user);
        for (String[] create : new String[][] {
                {"/api/organizations", "{\"name\":\"" + user + "-org\"}"},
                {"/api/vpcs", "{\"organization_id\":\"" + vpc + "\",\"description\":\"openapi\"}"},
                {"/api/security-groups", "{\"vpc_id\":\"" + vpc + "\"}"},
                {"/api/reg-keys", "{\"vpc_id\":\"" + vpc + "\"}"}}) {
            int answered = given().header("Authorization", bearer).contentType("application/json").body(create[1])
                    .post(create[0]).then().extract().statusCode();
            JsonNode documented = merged.at("/paths/" + create[0].replace("/", "~1") + "/post/responses");
            assertTrue(documented.has(String.valueOf(answered)), "POST " + create[0] + " answered " + answered
                    + ", documented " + documented);
            assertEquals(201, answered, create[0]);
        }
    }
}
