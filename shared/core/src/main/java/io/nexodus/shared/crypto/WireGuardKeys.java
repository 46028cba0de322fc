package io.nexodus.shared.crypto;

import java.security.SecureRandom;
import java.util.Base64;

/** WireGuard keys as Nexodus handles them: 32 bytes, standard base64 (44 characters with padding). */
public final class WireGuardKeys {

    public static final int KEY_LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WireGuardKeys() {
    }

    /** @return the 32 key bytes, or {@code null} when {@code base64} is not a WireGuard key */
    public static byte[] decode(String base64) {
        if (base64 == null || base64.length() != 44) {
            return null;
        }
        try {
            byte[] key = Base64.getDecoder().decode(base64);
            return key.length == KEY_LENGTH ? key : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static boolean isValid(String base64) {
        return decode(base64) != null;
    }

    /** A fresh private key, clamped as X25519 wants it (what {@code wgtypes.GeneratePrivateKey} makes). */
    public static byte[] newPrivateKey() {
        byte[] key = new byte[KEY_LENGTH];
        RANDOM.nextBytes(key);
        key[0] &= (byte) 248;
        key[31] &= 127;
        key[31] |= 64;
        return key;
    }

    public static String encode(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
