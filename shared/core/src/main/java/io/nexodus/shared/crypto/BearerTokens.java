package io.nexodus.shared.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The opaque API tokens of Nexodus (its internal/handlers/envoy_authz.go): a prefix and a random WireGuard private
 * key in base64. {@code RK:} registration keys, {@code DT:} device tokens. Only their SHA-256 is stored.
 */
public final class BearerTokens {

    public static final String REG_KEY_PREFIX = "RK:";
    public static final String DEVICE_TOKEN_PREFIX = "DT:";

    private BearerTokens() {
    }

    public static String newRegKey() {
        return REG_KEY_PREFIX + WireGuardKeys.encode(WireGuardKeys.newPrivateKey());
    }

    public static String newDeviceToken() {
        return DEVICE_TOKEN_PREFIX + WireGuardKeys.encode(WireGuardKeys.newPrivateKey());
    }

    /** What the database keeps instead of the token. */
    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
