package io.nexodus.fn.auth;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.identity.ProviderDiscovery;
import io.nexodus.shared.websession.WebSettings;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The ID token of a sign-in (OpenID Connect Core §3.1.3.7): signed by a key of the provider's JWKS, issued by the
 * provider the discovery document names, for the web client ({@code aud}), not expired, and carrying the nonce this
 * browser's sign-in started with (a replayed or injected ID token carries another).
 */
@ApplicationScoped
class IdTokenVerifier {

    private record Verifier(String issuer, String jwks, JWTParser parser) {
    }

    @Inject
    ProviderDiscovery discovery;

    @Inject
    WebSettings settings;

    /** One parser while the provider's document names the same issuer and keys: it caches the keys it fetched. */
    private volatile Verifier verifier;

    Uni<JsonWebToken> verify(String idToken, String expectedNonce) {
        return discovery.document().flatMap(document -> {
            JWTParser parser = parser(document.path("issuer").asText(), discovery.backchannel(document, document.path("jwks_uri").asText()));
            // fetching the provider's keys may block: off the event loop
            return Uni.createFrom().item(() -> parse(parser, idToken)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }).map(token -> {
            if (expectedNonce == null || !expectedNonce.equals(token.getClaim("nonce"))) {
                throw ApiErrors.invalidField("nonce", "the ID token's nonce is not this sign-in's");
            }
            if (token.getSubject() == null || token.getSubject().isBlank()) {
                throw ApiErrors.invalidField("id_token", "the ID token names no subject");
            }
            return token;
        });
    }

    private static JsonWebToken parse(JWTParser parser, String idToken) {
        try {
            return parser.parse(idToken);
        } catch (ParseException e) {
            throw ApiErrors.invalidField("id_token", "the identity provider's ID token does not verify");
        }
    }

    private JWTParser parser(String issuer, String jwks) {
        Verifier known = verifier;
        if (known != null && known.issuer().equals(issuer) && known.jwks().equals(jwks)) {
            return known.parser();
        }
        JWTAuthContextInfo info = new JWTAuthContextInfo(jwks, issuer);
        info.setExpectedAudience(Set.of(settings.clientId()));
        JWTParser parser = new DefaultJWTParser(info);
        verifier = new Verifier(issuer, jwks, parser);
        return parser;
    }
}
