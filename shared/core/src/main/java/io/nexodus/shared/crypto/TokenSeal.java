package io.nexodus.shared.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The {@code v1} seal nexd opens to read its device token (behaviour.md §A.3, Nexodus's
 * {@code internal/wgcrypto}), reproduced byte for byte because agents in the field expect exactly it:
 * <ol>
 * <li>a random ephemeral X25519 key pair, public half {@code E};</li>
 * <li>{@code shared = X25519(scalar = E, point = device public key)} — Nexodus's quirk: the ephemeral
 * <em>public</em> key is used as the scalar, so the receiver computes the same from public values;</li>
 * <li>{@code key = HKDF-SHA256(ikm = shared, salt = E ‖ device public key, info = "X25519")[0..32]};</li>
 * <li>{@code C = AES-256-GCM(key, nonce = 12 zero bytes, plaintext)};</li>
 * <li>{@code base64url("v1") + ":" + base64url(E) + ":" + base64url(C)}, URL alphabet with padding.</li>
 * </ol>
 * As the reference notes, v1 only obfuscates (anyone with the device's public key can open it); it is
 * shown only to the device's owner, its registration key and the device itself.
 */
public final class TokenSeal {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final byte[] INFO = "X25519".getBytes(StandardCharsets.US_ASCII);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private TokenSeal() {
    }

    /** @return the sealed token, or "" when the public key is not a WireGuard key (as Nexodus does) */
    public static String sealV1(String token, String devicePublicKeyBase64) {
        byte[] devicePublic = WireGuardKeys.decode(devicePublicKeyBase64);
        if (devicePublic == null || token == null || token.isEmpty()) {
            return "";
        }
        try {
            byte[] ephemeralPrivate = new byte[X25519.SCALAR_SIZE];
            X25519.generatePrivateKey(RANDOM, ephemeralPrivate);
            byte[] e = new byte[X25519.POINT_SIZE];
            X25519.generatePublicKey(ephemeralPrivate, 0, e, 0);
            byte[] key = sealKey(e, devicePublic);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, new byte[12]));
            byte[] sealed = aes.doFinal(token.getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString("v1".getBytes(StandardCharsets.US_ASCII)) + ":" + B64.encodeToString(e) + ":"
                    + B64.encodeToString(sealed);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot seal a device token", ex);
        }
    }

    /** What nexd does with its own public key (derived from its private key). */
    public static String openV1(String sealed, String devicePublicKeyBase64) throws GeneralSecurityException {
        String[] parts = sealed.split(":");
        if (parts.length != 3 || !"v1".equals(new String(B64D.decode(parts[0]), StandardCharsets.US_ASCII))) {
            throw new GeneralSecurityException("not a v1 seal");
        }
        byte[] e = B64D.decode(parts[1]);
        byte[] key = sealKey(e, WireGuardKeys.decode(devicePublicKeyBase64));
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, new byte[12]));
        return new String(aes.doFinal(B64D.decode(parts[2])), StandardCharsets.UTF_8);
    }

    /** The public key of a WireGuard private key (X25519 base-point multiplication). */
    public static String publicKeyOf(byte[] privateKey) throws GeneralSecurityException {
        byte[] publicKey = new byte[X25519.POINT_SIZE];
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
        return WireGuardKeys.encode(publicKey);
    }

    private static byte[] sealKey(byte[] e, byte[] devicePublic) throws GeneralSecurityException {
        byte[] shared = new byte[X25519.POINT_SIZE];
        // RFC 7748 X25519 with clamping of the scalar, as Go's curve25519.X25519 does
        X25519.scalarMult(e, 0, devicePublic, 0, shared, 0);
        byte[] salt = new byte[e.length + devicePublic.length];
        System.arraycopy(e, 0, salt, 0, e.length);
        System.arraycopy(devicePublic, 0, salt, e.length, devicePublic.length);
        return hkdfSha256(shared, salt, INFO);
    }

    /** RFC 5869 with one output block: 32 bytes is exactly one SHA-256 block. */
    static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return mac.doFinal();
    }
}
