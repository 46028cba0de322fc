package io.nexodus.testing;

import io.nexodus.shared.identity.DevTokenIssuer;
import java.util.Map;

/** Bearer tokens that the functions under test trust (issuer and key set up by {@link PostgresTestResource}). */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.test/realms/nexodus";

    /** A second trusted issuer ({@code nexodus.auth.issuers=other}): its subjects are not the first's. */
    public static final String OTHER_ISSUER = "https://other-issuer.test/realms/nexodus";

    private static DevTokenIssuer issuer;

    private static DevTokenIssuer other;

    private TestTokens() {
    }

    public static synchronized DevTokenIssuer issuer() {
        if (issuer == null) {
            issuer = DevTokenIssuer.create(ISSUER);
        }
        return issuer;
    }

    public static synchronized DevTokenIssuer otherIssuer() {
        if (other == null) {
            other = DevTokenIssuer.create(OTHER_ISSUER);
        }
        return other;
    }

    /** A token for a user named {@code username} (stable subject per name). */
    public static String token(String username) {
        return issuer().token(username);
    }

    /** {@code Bearer <token>} for the Authorization header. */
    public static String bearer(String username) {
        return "Bearer " + token(username);
    }

    /** {@code Bearer <service token>}: the cluster's credential for scheduled work (gc), as configured for tests. */
    public static String serviceBearer() {
        return "Bearer " + org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("nexodus.auth.service-token", String.class);
    }

    /**
     * {@code Bearer <token>} for the same user as {@link #bearer(String)}, with read scopes only
     * ({@code read:organizations read:users read:devices}, no {@code write:}): every write is 403 naming the scope.
     */
    public static String readOnlyBearer(String username) {
        return "Bearer " + token(java.util.UUID.nameUUIDFromBytes(username.getBytes()).toString(), username,
                Map.of("scope", "openid profile email read:organizations read:users read:devices"));
    }

    public static String token(String subject, String username, Map<String, Object> claims) {
        return issuer().token(subject, username, 3600, claims);
    }
}
