package io.nexodus.shared.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The v1 seal and its building blocks, against published test vectors where they exist. */
class TokenSealTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void x25519MatchesRfc7748() throws GeneralSecurityException {
        // RFC 7748 §6.1: Alice's private and public keys
        byte[] alicePrivate = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        String alicePublic = Base64.getEncoder().encodeToString(
                HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        assertEquals(alicePublic, TokenSeal.publicKeyOf(alicePrivate));
    }

    @Test
    void hkdfMatchesRfc5869TestCase1() throws GeneralSecurityException {
        byte[] okm = TokenSeal.hkdfSha256(HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                HEX.parseHex("000102030405060708090a0b0c"), HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"));
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf", HEX.formatHex(okm));
    }

    @Test
    void aSealedTokenOpensWithTheDevicesKeyAndOnlyThatKey() throws GeneralSecurityException {
        String devicePublic = TokenSeal.publicKeyOf(WireGuardKeys.newPrivateKey());
        String token = BearerTokens.newDeviceToken();
        String sealed = TokenSeal.sealV1(token, devicePublic);
        String[] parts = sealed.split(":");
        assertEquals(3, parts.length);
        assertEquals("djE=", parts[0], "base64url(\"v1\") with padding");
        assertEquals(44, parts[1].length(), "a 32-byte ephemeral key, padded base64");
        assertEquals(token, TokenSeal.openV1(sealed, devicePublic));
        assertNotEquals(sealed, TokenSeal.sealV1(token, devicePublic), "a fresh ephemeral key every time");
        String otherDevice = TokenSeal.publicKeyOf(WireGuardKeys.newPrivateKey());
        assertThrows(GeneralSecurityException.class, () -> TokenSeal.openV1(sealed, otherDevice));
    }

    @Test
    void aV2SealOpensWithTheDevicesPrivateKeyAndNotWithPublicValues() throws GeneralSecurityException {
        byte[] devicePrivate = WireGuardKeys.newPrivateKey();
        String devicePublic = TokenSeal.publicKeyOf(devicePrivate);
        String token = BearerTokens.newDeviceToken();
        String sealed = TokenSeal.sealV2(token, devicePublic);
        String[] parts = sealed.split(":");
        assertEquals("djI=", parts[0], "base64url(\"v2\") with padding");
        assertEquals(token, TokenSeal.openV2(sealed, devicePrivate));
        assertNotEquals(sealed, TokenSeal.sealV2(token, devicePublic), "a fresh ephemeral key every time");
        assertThrows(GeneralSecurityException.class, () -> TokenSeal.openV2(sealed, WireGuardKeys.newPrivateKey()));
        // what opens a v1 seal (the ephemeral and the device's public keys, both public) does not open it
        String asIfV1 = "djE=:" + parts[1] + ":" + parts[2];
        assertThrows(GeneralSecurityException.class, () -> TokenSeal.openV1(asIfV1, devicePublic));
        assertThrows(GeneralSecurityException.class, () -> TokenSeal.openV2(TokenSeal.sealV1(token, devicePublic),
                devicePrivate), "a v1 seal is not taken for a v2 one");
        assertEquals("", TokenSeal.sealV2("DT:x", "not-a-key"));
    }

    @Test
    void noSealWithoutAValidPublicKey() {
        assertEquals("", TokenSeal.sealV1("DT:x", "not-a-key"));
        assertEquals("", TokenSeal.sealV1("DT:x", null));
    }

    @Test
    void tokensHaveTheirPrefixAndAreStoredHashed() {
        String rk = BearerTokens.newRegKey();
        assertTrue(rk.startsWith("RK:") && WireGuardKeys.isValid(rk.substring(3)));
        assertEquals(32, BearerTokens.hash(rk).length);
        assertNotEquals(rk, BearerTokens.newRegKey());
    }
}
