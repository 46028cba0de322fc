package io.nexodus.shared.websession;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A token endpoint's answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
 *
 * @param refreshToken null when the provider issued none (a refresh answer may keep the old one)
 * @param idToken      null when the provider issued none (a refresh answer need not carry one)
 * @param expiresIn    seconds the access token lives; 0 when the provider did not say
 */
public record ProviderTokens(String accessToken, String refreshToken, String idToken, long expiresIn) {

    static ProviderTokens of(JsonNode answer) {
        return new ProviderTokens(answer.path("access_token").asText(null), answer.path("refresh_token").asText(null),
                answer.path("id_token").asText(null), answer.path("expires_in").asLong(0));
    }
}
