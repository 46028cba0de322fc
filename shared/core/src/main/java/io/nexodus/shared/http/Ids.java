package io.nexodus.shared.http;

import io.nexodus.shared.error.ApiErrors;
import java.util.UUID;

/** Identifiers as they arrive in paths and bodies. */
public final class Ids {

    private Ids() {
    }

    /** A UUID path parameter, else 400 {@code {"error":"path parameter invalid","field":name}}. */
    public static UUID pathUuid(String value, String name) {
        UUID id = parse(value);
        if (id == null) {
            throw ApiErrors.badPathParameter(name);
        }
        return id;
    }

    /** A required UUID body field, else 400 naming the field. */
    public static UUID requiredUuid(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiErrors.fieldNotPresent(field);
        }
        UUID id = parse(value);
        if (id == null) {
            throw ApiErrors.invalidField(field, "not a UUID");
        }
        return id;
    }

    /**
     * A PATCH body may repeat the resource's id (the Funqy input carries it); if it does, it must be the
     * path's.
     */
    public static void requireSameAsPath(String bodyId, String pathId) {
        if (bodyId != null && !bodyId.equals(pathId)) {
            throw ApiErrors.invalidField("id", "does not match the path");
        }
    }

    private static UUID parse(String value) {
        if (value == null || value.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
