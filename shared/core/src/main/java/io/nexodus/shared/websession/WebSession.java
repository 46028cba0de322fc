package io.nexodus.shared.websession;

import java.time.Instant;
import java.util.UUID;

/**
 * A signed-in console session, its tokens decrypted.
 *
 * @param version how many times its tokens were refreshed: a refresh that waited for another's lock and finds
 *                the version moved on uses that refresh's tokens (WebSessions)
 */
public record WebSession(UUID id, int version, String issuer, String subject, String accessToken,
        Instant accessExpiresAt, String refreshToken, String idToken) {

    /** Refreshed a little ahead of expiry: the token must outlive the request it is used for. */
    static final long EXPIRY_MARGIN_SECONDS = 30;

    boolean accessExpiresSoon(Instant now) {
        return !accessExpiresAt.isAfter(now.plusSeconds(EXPIRY_MARGIN_SECONDS));
    }
}
