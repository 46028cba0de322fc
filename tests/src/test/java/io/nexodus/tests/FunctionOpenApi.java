package io.nexodus.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One function's OpenAPI document, cut from the all-in-one's (which SmallRye OpenAPI builds at build time
 * from every function's REST resources): only the routes the route table gives that function, and only the
 * schemas they reach. Each function serves its cut as a static file, so a function pays nothing at start
 * for being described (the extension would add its work to every start: docs/benchmarks.md, "OpenAPI description").
 */
final class FunctionOpenApi {

    /** Where a function module keeps its cut: served at {@code /openapi/<function>.json}, a public path. */
    static String path(String function) {
        return "functions/" + function + "/src/main/resources/META-INF/resources/openapi/" + function + ".json";
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private FunctionOpenApi() {
    }

    static String cut(JsonNode merged, String function, List<RouteTableTest.Row> routes) throws Exception {
        ObjectNode out = JSON.createObjectNode();
        out.put("openapi", merged.path("openapi").asText());
        ObjectNode info = out.putObject("info");
        info.put("title", "Nexodus Functions: " + function);
        info.put("version", merged.path("info").path("version").asText());
        ObjectNode paths = out.putObject("paths");
        for (RouteTableTest.Row row : routes) {
            if (!row.function().equals(function) || !row.status().equals("live")) {
                continue;
            }
            JsonNode operation = merged.path("paths").path(row.path()).path(row.method().toLowerCase(Locale.ROOT));
            if (!operation.isMissingNode()) {
                ObjectNode path = paths.has(row.path()) ? (ObjectNode) paths.get(row.path()) : paths.putObject(row.path());
                path.set(row.method().toLowerCase(Locale.ROOT), operation);
            }
        }
        ObjectNode schemas = JSON.createObjectNode();
        for (String name : reachedSchemas(paths, merged.path("components").path("schemas"))) {
            schemas.set(name, merged.path("components").path("schemas").get(name));
        }
        if (schemas.size() > 0) {
            out.putObject("components").set("schemas", schemas);
        }
        // one form, whatever order the extension wrote: sorted keys, two-space indent, a last newline
        return JSON.writeValueAsString(JSON.readTree(JSON.writeValueAsString(out))) + "\n";
    }

    /** The schemas {@code from} refers to, and those they refer to in turn. */
    private static Set<String> reachedSchemas(JsonNode from, JsonNode schemas) {
        Set<String> reached = new TreeSet<>();
        Deque<JsonNode> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            JsonNode node = todo.pop();
            if (node.isObject() && node.has("$ref")) {
                String name = node.get("$ref").asText().replace("#/components/schemas/", "");
                if (reached.add(name) && schemas.has(name)) {
                    todo.push(schemas.get(name));
                }
            }
            node.elements().forEachRemaining(todo::push);
        }
        return reached;
    }
}
