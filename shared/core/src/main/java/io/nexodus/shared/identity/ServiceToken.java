package io.nexodus.shared.identity;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The cluster's own credential for scheduled work (a PingSource firing {@code gc}): a secret the cluster
 * holds ({@code NEXODUS_SERVICE_TOKEN}), presented as a bearer token or, on a CloudEvent, as the
 * {@code authorization} extension. No user token can start that work, and this token can start nothing
 * else ({@link CredentialScope}). Unset: nobody can.
 */
@ApplicationScoped
public class ServiceToken {

    /** Long enough that guessing it is hopeless; a shorter one is refused at start-up, not at first use. */
    static final int MIN_LENGTH = 32;

    @ConfigProperty(name = "nexodus.auth.service-token")
    Optional<String> configured;

    /** The configured token's digest, taken once (every authenticated request compares against it); null: unset. */
    private volatile byte[] digest;

    void validateAtStartup(@Observes StartupEvent ignored) {
        configured.ifPresent(token -> {
            if (token.length() < MIN_LENGTH) {
                throw new IllegalStateException("nexodus.auth.service-token (NEXODUS_SERVICE_TOKEN) must have at least "
                        + MIN_LENGTH + " characters");
            }
            digest = sha256(token);
        });
    }

    /** Constant-time over the digests, so the comparison leaks nothing of the secret. */
    boolean matches(String token) {
        byte[] expected = digest;
        return expected != null && MessageDigest.isEqual(expected, sha256(token));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
