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
 * applied, then the fields we add on purpose (docs/compatibility.md), so that any other field is still a
 * difference. Both are JSON Patches (RFC 6902) whose every operation carries a {@code why}; one without a
 * reason is refused, so a correction cannot slip in unexplained.
 */
final class NexodusSpec {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    /** How many mistakes of Nexodus's file the overlay corrects, and how many of our additions it admits. */
    final int corrections;
    final int additions;
    final OpenApiInteractionValidator validator;

    private NexodusSpec(String name, int corrections, int additions, OpenApiInteractionValidator validator) {
        this.name = name;
        this.corrections = corrections;
        this.additions = additions;
        this.validator = validator;
    }

    /**
     * {@code nexodus-spec/<name>.json} patched by {@code <name>.overlay.json} (Nexodus's mistakes) and, where
     * there is one, {@code <name>.additions.json} (ours).
     */
    static NexodusSpec load(String name) {
        try {
            JsonNode spec = read("nexodus-spec/" + name + ".json");
            ArrayNode overlay = patch(name + ".overlay.json");
            ArrayNode additions = patch(name + ".additions.json");
            JsonNode patched = JsonPatch.fromJson(additions).apply(JsonPatch.fromJson(overlay).apply(spec));
            OpenApiInteractionValidator validator = OpenApiInteractionValidator
                    .createForInlineApiSpecification(JSON.writeValueAsString(patched))
                    .build();
            return new NexodusSpec(name, overlay.size(), additions.size(), validator);
        } catch (IOException | com.github.fge.jsonpatch.JsonPatchException e) {
            throw new IllegalStateException("cannot load the Nexodus API description " + name, e);
        }
    }

    /** A patch of {@code nexodus-spec/}, each operation's {@code why} checked and taken off; none: empty. */
    private static ArrayNode patch(String file) throws IOException {
        if (NexodusSpec.class.getClassLoader().getResource("nexodus-spec/" + file) == null) {
            return JSON.createArrayNode();
        }
        ArrayNode patch = (ArrayNode) read("nexodus-spec/" + file);
        for (JsonNode operation : patch) {
            JsonNode why = operation.get("why");
            if (why == null || why.asText().isBlank()) {
                throw new IllegalStateException(file + ": an operation without a why: " + operation);
            }
            // RFC 6902 has an operation's unknown members ignored; take it off all the same
            ((ObjectNode) operation).remove("why");
        }
        return patch;
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
