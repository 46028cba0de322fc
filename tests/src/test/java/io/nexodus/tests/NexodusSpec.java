package io.nexodus.tests;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.fge.jsonpatch.JsonPatch;
import java.io.IOException;
import java.io.InputStream;

/**
 * Nexodus's own API description as the contract test reads it: the Swagger 2.0 file copied verbatim from
 * Nexodus (test resources {@code nexodus-spec/}, see its README) with the overlay of its known mistakes
 * applied. The overlay is a JSON Patch (RFC 6902) whose every operation carries a {@code why}; one
 * without a reason is refused, so a correction cannot slip in unexplained.
 */
final class NexodusSpec {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final int corrections;
    final OpenApiInteractionValidator validator;

    private NexodusSpec(String name, int corrections, OpenApiInteractionValidator validator) {
        this.name = name;
        this.corrections = corrections;
        this.validator = validator;
    }

    /** {@code nexodus-spec/<name>.json} patched by {@code nexodus-spec/<name>.overlay.json}. */
    static NexodusSpec load(String name) {
        try {
            JsonNode spec = read("nexodus-spec/" + name + ".json");
            ArrayNode overlay = (ArrayNode) read("nexodus-spec/" + name + ".overlay.json");
            for (JsonNode operation : overlay) {
                JsonNode why = operation.get("why");
                if (why == null || why.asText().isBlank()) {
                    throw new IllegalStateException(name + ".overlay.json: an operation without a why: " + operation);
                }
                // RFC 6902 says to ignore members an operation does not define; strip it anyway to be sure
                ((ObjectNode) operation).remove("why");
            }
            JsonNode patched = JsonPatch.fromJson(overlay).apply(spec);
            OpenApiInteractionValidator validator = OpenApiInteractionValidator
                    .createForInlineApiSpecification(JSON.writeValueAsString(patched))
                    .build();
            return new NexodusSpec(name, overlay.size(), validator);
        } catch (IOException | com.github.fge.jsonpatch.JsonPatchException e) {
            throw new IllegalStateException("cannot load the Nexodus API description " + name, e);
        }
    }

    private static JsonNode read(String resource) throws IOException {
        try (InputStream in = NexodusSpec.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no test resource " + resource);
            }
            return JSON.readTree(in);
        }
    }
}
