package io.nexodus.shared.identity;

import java.util.Arrays;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The profile an OpenID Connect access token carries about its user, read the way Nexodus reads it
 * (Nexodus's CreateUserIfNotExists in internal/handlers/user.go, and internal/routers/middleware.go).
 *
 * @param issuer  the verified {@code iss}: with the subject, what identifies the user (V5__identity_issuer.sql)
 * @param scopes  the {@code scope} claim's words: what the token may call (Nexodus's token.rego, {@link ScopeRules})
 * @param lifetimeSeconds {@code exp − iat}: how long the token was issued for (without {@code iat}, from now on)
 */
public record TokenProfile(String issuer, String subject, String username, String fullName, String picture,
        String email, boolean emailVerified, Set<String> scopes, long lifetimeSeconds) {

    static TokenProfile of(JsonWebToken jwt) {
        String username = firstNonBlank(jwt.getClaim("preferred_username"), jwt.getClaim("name"));
        String fullName = (text(jwt.getClaim("given_name")) + " " + text(jwt.getClaim("family_name"))).trim();
        Object verified = jwt.getClaim("email_verified");
        boolean emailVerified = verified != null && Boolean.parseBoolean(verified.toString());
        String email = text(jwt.getClaim("email")).trim().toLowerCase();
        String scope = text(jwt.getClaim("scope")).trim();
        return new TokenProfile(jwt.getIssuer(), jwt.getSubject(), username == null ? jwt.getSubject() : username,
                fullName, text(jwt.getClaim("picture")), email.isEmpty() ? null : email, emailVerified,
                scope.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(scope.split("\\s+"))),
                jwt.getExpirationTime() - (jwt.getIssuedAtTime() > 0 ? jwt.getIssuedAtTime() : System.currentTimeMillis() / 1000));
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
