package io.nexodus.shared.identity;

import java.util.UUID;

/**
 * Who is calling, resolved once per request by {@link BearerAuthentication} before any binding runs.
 *
 * @param userId  the local user the request acts as (for registration keys and device tokens: their owner)
 * @param subject the identity provider's subject ({@code sub}) of that user
 * @param kind    which credential was presented
 */
public record Caller(UUID userId, String subject, Kind kind) {

    /** The credential a request carried. Registration keys and device tokens arrive with their issues. */
    public enum Kind {
        USER_TOKEN
    }

    /** Key under which the caller is kept on the Vert.x routing context of the request. */
    public static final String CONTEXT_KEY = "nexodus.caller";
}
