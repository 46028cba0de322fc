package io.nexodus.shared.crypto;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

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

    private TokenSeal() {
    }

    /** @return the sealed token, or "" when the public key is not a WireGuard key (as Nexodus does) */
    public static String sealV1(String token, String devicePublicKeyBase64) {
        byte[] devicePublic = WireGuardKeys.decode(devicePublicKeyBase64);
        if (devicePublic == null || token == null || token.isEmpty()) {
            return "";
        }
        try {
            KeyPair ephemeral = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] e = encodeU(((XECPublicKey) ephemeral.getPublic()).getU());
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
        KeyFactory xdh = KeyFactory.getInstance("XDH");
        PrivateKey priv = xdh.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
        // base point u = 9
        return WireGuardKeys.encode(x25519(priv, BigInteger.valueOf(9)));
    }

    private static byte[] sealKey(byte[] e, byte[] devicePublic) throws GeneralSecurityException {
        KeyFactory xdh = KeyFactory.getInstance("XDH");
        PrivateKey scalar = xdh.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, e));
        byte[] shared = x25519(scalar, decodeU(devicePublic));
        byte[] salt = new byte[e.length + devicePublic.length];
        System.arraycopy(e, 0, salt, 0, e.length);
        System.arraycopy(devicePublic, 0, salt, e.length, devicePublic.length);
        return hkdfSha256(shared, salt, INFO);
    }

    private static byte[] x25519(PrivateKey scalar, BigInteger u) throws GeneralSecurityException {
        PublicKey point = KeyFactory.getInstance("XDH").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u));
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(scalar);
        agreement.doPhase(point, true);
        return agreement.generateSecret();
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

    /** RFC 7748: u is little-endian; the top bit is ignored. */
    private static BigInteger decodeU(byte[] littleEndian) {
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        bigEndian[0] &= 0x7f;
        return new BigInteger(1, bigEndian);
    }

    private static byte[] encodeU(BigInteger u) {
        byte[] bigEndian = u.toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < bigEndian.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }
}
