package io.nexodus.shared.device;

import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.crypto.SecretsAtRest;
import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.model.Device;
import io.nexodus.shared.http.CloudEventRequests;
import io.nexodus.shared.error.ApiErrors;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Device tokens ({@code DT:}) at rest and on the way out. The database keeps the token's SHA-256 (to
 * find the device by it) and the token encrypted under the server key {@code nexodus.device-token-key}
 * (AES-256-GCM), because nexd does not keep its token: on every restart it registers again, gets 409,
 * PATCHes, and reads the token from that answer, sealed for its public key. A stolen database gives
 * neither usable tokens nor, without the key, the tokens themselves.
 */
@ApplicationScoped
public class DeviceTokenVault {

    /** The AAD's purpose: "nexodus-device-token:<device id>", as ciphertexts stored before SecretsAtRest have it. */
    private static final String PURPOSE = "device-token";

    @ConfigProperty(name = "nexodus.device-token-key")
    Optional<String> keyBase64;

    @Inject
    CloudEventRequests cloudEvents;

    @Inject
    CurrentVertxRequest request;

    /** A bad key refuses to start the function, rather than failing its first registration with a 500. */
    void validateAtStartup(@Observes StartupEvent ignored) {
        if (keyBase64.isPresent()) {
            key();
        }
    }

    /** A fresh token and what to store of it. */
    public record Issued(String token, byte[] hash, byte[] ciphertext) {
    }

    /** @param deviceId the row the ciphertext belongs to: it is bound to it and opens nowhere else */
    public Issued issue(UUID deviceId) {
        String token = BearerTokens.newDeviceToken();
        return new Issued(token, BearerTokens.hash(token), encrypt(token, deviceId));
    }

    /** The request header by which an agent asks for the v2 seal ({@link TokenSeal#sealV2}); v1 without it. */
    public static final String SEAL_HEADER = "Nexodus-Token-Seal";

    /**
     * The device in an answer that hands a device its token: registration ({@code POST /api/devices}, 201),
     * nexd's restart path ({@code PATCH /api/devices/{id}} after 409) and rotation. The token is sealed for
     * the device's key when the caller is its owner, the registration key that created it, or the device
     * itself (Nexodus's CreateDevice, internal/handlers/device.go); never in a CloudEvent reply. Sealed v1 unless the
     * request asks for v2 ({@value #SEAL_HEADER}): v1 opens with the device's public key alone, which is why no other
     * answer carries it ({@link #withoutToken}).
     */
    public Device answer(StoredDevice stored, Caller caller) {
        Device device = stored.device();
        boolean entitled = DeviceAccess.isOwnParty(caller, device.id(), device.ownerId(), stored.regKeyId());
        if (!entitled || stored.tokenCiphertext() == null || stored.deleted() || cloudEvents.current()) {
            return device.withBearerToken(null);
        }
        String token = decrypt(stored.tokenCiphertext(), device.id());
        return device.withBearerToken(requestedSeal().equals("v2") ? TokenSeal.sealV2(token, device.publicKey())
                : TokenSeal.sealV1(token, device.publicKey()));
    }

    /**
     * The device in every read (get, lists, watch streams): without a token for anyone. Nexodus sealed it there
     * too for the owner, the creating key and the device; with v1 that let whoever held a fleet's registration
     * key open the token of every device it had registered and act as any of them. nexd reads its token from
     * the registration or PATCH answer only.
     */
    public static Device withoutToken(StoredDevice stored) {
        return stored.device().withBearerToken(null);
    }

    private String requestedSeal() {
        RoutingContext ctx = Arc.container().requestContext().isActive() ? request.getCurrent() : null;
        String asked = ctx == null ? null : ctx.request().getHeader(SEAL_HEADER);
        if (asked == null || asked.isBlank() || asked.trim().equals("v1")) {
            return "v1";
        }
        if (asked.trim().equals("v2")) {
            return "v2";
        }
        throw ApiErrors.invalidField(SEAL_HEADER, "v1 or v2");
    }

    /** The device id is the associated data: a ciphertext copied onto another device's row does not open there. */
    byte[] encrypt(String token, UUID deviceId) {
        return atRest().encrypt(PURPOSE, deviceId, token);
    }

    String decrypt(byte[] stored, UUID deviceId) {
        return atRest().decrypt(PURPOSE, deviceId, stored);
    }

    SecretKeySpec key() {
        return atRest().key();
    }

    private SecretsAtRest atRest() {
        return new SecretsAtRest(keyBase64);
    }
}
