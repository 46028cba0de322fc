package io.nexodus.shared.http;

import io.nexodus.shared.error.ApiErrors;

/** The free-text {@code description} field most resources have, as it arrives in a body. */
public final class Descriptions {

    /** Nexodus had no limit; storage should be bounded (docs/compatibility.md). */
    public static final int MAX_LENGTH = 1024;

    private Descriptions() {
    }

    /** An absent description is empty; a longer one than {@link #MAX_LENGTH} is a 400 naming {@code description}. */
    public static String of(String description) {
        String d = description == null ? "" : description;
        if (d.length() > MAX_LENGTH) {
            throw ApiErrors.invalidField("description", "longer than " + MAX_LENGTH + " characters");
        }
        return d;
    }
}
