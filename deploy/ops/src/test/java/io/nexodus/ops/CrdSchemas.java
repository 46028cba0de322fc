package io.nexodus.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Knative CRDs' openAPIV3Schema (test resources knative-crds/, copied unmodified from the
 * releases the KIND flow installs), validated with a JSON Schema library. The API server prunes
 * unknown fields silently; here they are errors: every object schema that lists properties and does
 * not say x-kubernetes-preserve-unknown-fields gets additionalProperties: false, and
 * x-kubernetes-int-or-string becomes "integer or string".
 */
final class CrdSchemas {

    static final List<String> FILES = List.of("serving-service.yaml", "eventing-broker.yaml", "eventing-trigger.yaml",
            "eventing-pingsource.yaml", "eventing-sinkbindings.yaml", "eventing-eventpolicy.yaml");

    private final Map<String, JsonSchema> byApiVersionKind = new HashMap<>();

    CrdSchemas() throws IOException {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
        for (String file : FILES) {
            try (InputStream in = CrdSchemas.class.getResourceAsStream("/knative-crds/" + file)) {
                JsonNode crd = Rendered.YAML.readTree(in);
                String group = crd.at("/spec/group").asText();
                String kind = crd.at("/spec/names/kind").asText();
                for (JsonNode version : crd.at("/spec/versions")) {
                    JsonNode schema = version.at("/schema/openAPIV3Schema").deepCopy();
                    strict(schema);
                    // the API server supplies these at the root whether a CRD lists them or not
                    ObjectNode root = ((ObjectNode) schema).with("properties");
                    root.putObject("apiVersion").put("type", "string");
                    root.putObject("kind").put("type", "string");
                    if (!root.has("metadata")) {
                        root.putObject("metadata").put("type", "object");
                    }
                    byApiVersionKind.put(group + "/" + version.path("name").asText() + " " + kind, factory.getSchema(schema));
                }
            }
        }
    }

    Set<String> kinds() {
        return new TreeSet<>(byApiVersionKind.keySet());
    }

    /** Errors of the object against its CRD, or empty when this is not a Knative kind we hold. */
    Optional<Set<String>> validate(JsonNode object) {
        JsonSchema schema = byApiVersionKind.get(object.path("apiVersion").asText() + " " + object.path("kind").asText());
        if (schema == null) {
            return Optional.empty();
        }
        Set<ValidationMessage> errors = schema.validate(object);
        return Optional.of(errors.stream().map(ValidationMessage::getMessage).collect(Collectors.toCollection(TreeSet::new)));
    }

    private static void strict(JsonNode node) {
        if (node instanceof ArrayNode array) {
            array.forEach(CrdSchemas::strict);
            return;
        }
        if (!(node instanceof ObjectNode schema)) {
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            schema.remove("type");
            ArrayNode anyOf = schema.putArray("anyOf");
            anyOf.addObject().put("type", "integer");
            anyOf.addObject().put("type", "string");
        }
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (schema.has("properties") && !preserve && !schema.has("additionalProperties")) {
            schema.set("additionalProperties", JsonNodeFactory.instance.booleanNode(false));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext();) {
            strict(it.next().getValue());
        }
    }
}
