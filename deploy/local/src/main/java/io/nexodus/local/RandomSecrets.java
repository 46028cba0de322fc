package io.nexodus.local;

import java.security.SecureRandom;
import java.util.Base64;

/** Fresh secrets for a local run: the device-token key and the service token, 32 random bytes each, base64. */
final class RandomSecrets {

    private RandomSecrets() {
    }

    static String newSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
