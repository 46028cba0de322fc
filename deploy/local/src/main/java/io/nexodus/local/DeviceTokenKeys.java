package io.nexodus.local;

import java.security.SecureRandom;
import java.util.Base64;

/** A fresh {@code nexodus.device-token-key}: 32 random bytes, base64. */
final class DeviceTokenKeys {

    private DeviceTokenKeys() {
    }

    static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
