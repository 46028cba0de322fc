package io.nexodus.shared.identity;

import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The profile an OpenID Connect access token carries about its user, read the way Nexodus reads it
 * (reference/nexodus/behaviour.md §C.1, §D.2).
 */
public record TokenProfile(String subject, String username, String fullName, String picture, String email,
        boolean emailVerified) {

    static TokenProfile of(JsonWebToken jwt) {
        String username = firstNonBlank(jwt.getClaim("preferred_username"), jwt.getClaim("name"));
        String fullName = (text(jwt.getClaim("given_name")) + " " + text(jwt.getClaim("family_name"))).trim();
        Object verified = jwt.getClaim("email_verified");
        boolean emailVerified = verified != null && Boolean.parseBoolean(verified.toString());
        String email = text(jwt.getClaim("email")).trim().toLowerCase();
        return new TokenProfile(jwt.getSubject(), username == null ? jwt.getSubject() : username, fullName,
                text(jwt.getClaim("picture")), email.isEmpty() ? null : email, emailVerified);
    }

    private static String firstNonBlank(Object... values) {
        for (Object value : values) {
            String s = text(value);
            if (!s.isBlank()) {
                return s;
            }
        }
        return null;
    }

    /** Claims arrive as String or as JSON string values depending on the parser; both print the same. */
    private static String text(Object claim) {
        if (claim == null) {
            return "";
        }
        String s = claim.toString();
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
