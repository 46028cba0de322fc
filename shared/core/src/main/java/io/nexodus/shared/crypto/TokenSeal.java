package io.nexodus.shared.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The {@code v1} seal nexd opens to read its device token (Nexodus's
 * {@code internal/wgcrypto/wgcrypto.go}), reproduced byte for byte because agents in the field expect exactly it:
 * <ol>
 * <li>a random ephemeral X25519 key pair, public half {@code E};</li>
 * <li>{@code shared = X25519(scalar = E, point = device public key)} — Nexodus's quirk: the ephemeral
 * <em>public</em> key is used as the scalar, so the receiver computes the same from public values;</li>
 * <li>{@code key = HKDF-SHA256(ikm = shared, salt = E ‖ device public key, info = "X25519")[0..32]};</li>
 * <li>{@code C = AES-256-GCM(key, nonce = 12 zero bytes, plaintext)};</li>
 * <li>{@code base64url("v1") + ":" + base64url(E) + ":" + base64url(C)}, URL alphabet with padding.</li>
 * </ol>
 * As the reference notes, v1 only obfuscates (anyone with the device's public key can open it); it is
 * shown only in the answers that hand a device its token (registration, PATCH, rotation), never in a read.
 * {@link #sealV2} is the sound variant for agents that ask for it.
 */
public final class TokenSeal {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final byte[] INFO = "X25519".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO_V2 = "nexodus-device-token-v2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V1 = "v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2 = "v2".getBytes(StandardCharsets.US_ASCII);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private TokenSeal() {
    }

    /** @return the sealed token, or "" when the public key is not a WireGuard key (as Nexodus does) */
    public static String sealV1(String token, String devicePublicKeyBase64) {
        return seal(V1, token, devicePublicKeyBase64);
    }

    /** What nexd does with its own public key (derived from its private key). */
    public static String openV1(String sealed, String devicePublicKeyBase64) throws GeneralSecurityException {
        String[] parts = sealed.split(":");
        if (parts.length != 3 || !"v1".equals(new String(B64D.decode(parts[0]), StandardCharsets.US_ASCII))) {
            throw new GeneralSecurityException("not a v1 seal");
        }
        byte[] e = B64D.decode(parts[1]);
        byte[] key = sealKey(e, WireGuardKeys.decode(devicePublicKeyBase64));
        return new String(aes(Cipher.DECRYPT_MODE, key, B64D.decode(parts[2])), StandardCharsets.UTF_8);
    }

    /**
     * The {@code v2} seal, for agents that ask for it ({@code Nexodus-Token-Seal: v2}): as v1, but the shared
     * secret is {@code X25519(ephemeral private key, device public key)}, which only the holder of the device's
     * WireGuard private key can compute again ({@code X25519(device private key, E)}): a sealed token someone
     * else reads is of no use to them. HKDF's info is {@code "nexodus-device-token-v2"}, so a v1 key never
     * opens a v2 seal; the nonce stays zero because every seal has a fresh ephemeral key, hence a fresh AES key.
     *
     * @return the sealed token, or "" when the public key is not a WireGuard key
     */
    public static String sealV2(String token, String devicePublicKeyBase64) {
        return seal(V2, token, devicePublicKeyBase64);
    }

    /** A fresh ephemeral key pair per seal; the version decides how the AES key is derived from it. */
    private static String seal(byte[] version, String token, String devicePublicKeyBase64) {
        byte[] devicePublic = WireGuardKeys.decode(devicePublicKeyBase64);
        if (devicePublic == null || token == null || token.isEmpty()) {
            return "";
        }
        try {
            byte[] ephemeralPrivate = new byte[X25519.SCALAR_SIZE];
            X25519.generatePrivateKey(RANDOM, ephemeralPrivate);
            byte[] e = new byte[X25519.POINT_SIZE];
            X25519.generatePublicKey(ephemeralPrivate, 0, e, 0);
            byte[] key = version == V2 ? sealKeyV2(ephemeralPrivate, devicePublic, e, devicePublic)
                    : sealKey(e, devicePublic);
            return B64.encodeToString(version) + ":" + B64.encodeToString(e) + ":"
                    + B64.encodeToString(aes(Cipher.ENCRYPT_MODE, key, token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot seal a device token", ex);
        }
    }

    /** What an agent does with its WireGuard private key to open a v2 seal. */
    public static String openV2(String sealed, byte[] devicePrivateKey) throws GeneralSecurityException {
        String[] parts = sealed.split(":");
        if (parts.length != 3 || !Arrays.equals(V2, B64D.decode(parts[0]))) {
            throw new GeneralSecurityException("not a v2 seal");
        }
        byte[] e = B64D.decode(parts[1]);
        byte[] devicePublic = WireGuardKeys.decode(publicKeyOf(devicePrivateKey));
        byte[] key = sealKeyV2(devicePrivateKey, e, e, devicePublic);
        return new String(aes(Cipher.DECRYPT_MODE, key, B64D.decode(parts[2])), StandardCharsets.UTF_8);
    }

    /** {@code X25519(scalar, point)}, then the same HKDF as v1 with v2's info; an all-zero secret is refused. */
    private static byte[] sealKeyV2(byte[] scalar, byte[] point, byte[] e, byte[] devicePublic)
            throws GeneralSecurityException {
        byte[] shared = new byte[X25519.POINT_SIZE];
        if (!X25519.calculateAgreement(scalar, 0, point, 0, shared, 0)) {
            throw new GeneralSecurityException("a low-order public key");
        }
        byte[] salt = new byte[e.length + devicePublic.length];
        System.arraycopy(e, 0, salt, 0, e.length);
        System.arraycopy(devicePublic, 0, salt, e.length, devicePublic.length);
        return hkdfSha256(shared, salt, INFO_V2);
    }

    private static byte[] aes(int mode, byte[] key, byte[] input) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, new byte[12]));
        return aes.doFinal(input);
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
