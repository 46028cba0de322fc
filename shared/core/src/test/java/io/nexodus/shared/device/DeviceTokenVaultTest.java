package io.nexodus.shared.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The device-token key is checked at start-up, and a stored ciphertext opens only on its own device's row. */
class DeviceTokenVaultTest {

    private static DeviceTokenVault vault(String key) {
        DeviceTokenVault vault = new DeviceTokenVault();
        vault.keyBase64 = Optional.ofNullable(key);
        return vault;
    }

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void aBadKeyRefusesToStart() {
        IllegalStateException notBase64 = assertThrows(IllegalStateException.class, () -> vault("not base64!").validateAtStartup(null));
        assertTrue(notBase64.getMessage().contains("base64"), notBase64.getMessage());
        IllegalStateException shortKey = assertThrows(IllegalStateException.class,
                () -> vault(Base64.getEncoder().encodeToString(new byte[16])).validateAtStartup(null));
        assertTrue(shortKey.getMessage().contains("32 bytes"), shortKey.getMessage());
        vault(KEY).validateAtStartup(null);
        vault(null).validateAtStartup(null); // unset: only where devices register is it needed, and said then
    }

    @Test
    void aCiphertextOpensOnlyForTheDeviceItWasIssuedFor() {
        DeviceTokenVault vault = vault(KEY);
        UUID device = UUID.randomUUID();
        DeviceTokenVault.Issued issued = vault.issue(device);
        assertEquals(issued.token(), vault.decrypt(issued.ciphertext(), device));
        IllegalStateException moved = assertThrows(IllegalStateException.class,
                () -> vault.decrypt(issued.ciphertext(), UUID.randomUUID()));
        assertTrue(moved.getMessage().contains("another device"), moved.getMessage());
    }
}
