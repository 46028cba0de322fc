package io.nexodus.shared.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens the server must be able to show again, kept encrypted under the server key
 * {@code nexodus.device-token-key} (AES-256-GCM, a fresh nonce each time): device tokens (nexd reads its token
 * on every restart) and registration keys (their owner reads them again). The row's id and the secret's
 * purpose are the cipher's associated data: a ciphertext copied onto another row, or into another column,
 * fails to open there. A stolen database gives neither usable tokens (they are looked up by hash) nor, without
 * the key, the tokens themselves.
 */
public final class SecretsAtRest {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<String> keyBase64;

    public SecretsAtRest(Optional<String> keyBase64) {
        this.keyBase64 = keyBase64;
    }

    /** @param purpose what the secret is ({@code device-token}, {@code reg-key}); with the row id, the AAD */
    public byte[] encrypt(String purpose, UUID rowId, String secret) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(128, nonce));
            aes.updateAAD(associatedData(purpose, rowId));
            byte[] sealed = aes.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a " + purpose, e);
        }
    }

    public String decrypt(String purpose, UUID rowId, byte[] stored) {
        try {
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(128, stored, 0, 12));
            aes.updateAAD(associatedData(purpose, rowId));
            return new String(aes.doFinal(stored, 12, stored.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt a " + purpose + ": was nexodus.device-token-key changed,"
                    + " or the ciphertext moved to another row (another device's, another key's)?", e);
        }
    }

    private static byte[] associatedData(String purpose, UUID rowId) {
        return ("nexodus-" + purpose + ":" + rowId).getBytes(StandardCharsets.UTF_8);
    }

    /** The key, checked: 32 bytes, base64. */
    public SecretKeySpec key() {
        byte[] key;
        try {
            key = keyBase64.map(k -> Base64.getDecoder().decode(k.trim())).orElseThrow(() ->
                    new IllegalStateException("nexodus.device-token-key (env NEXODUS_DEVICE_TOKEN_KEY) is not set: "
                            + "32 random bytes, base64"));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("nexodus.device-token-key is not base64: " + e.getMessage());
        }
        if (key.length != 32) {
            throw new IllegalStateException("nexodus.device-token-key must be 32 bytes, base64");
        }
        return new SecretKeySpec(key, "AES");
    }
}
