package io.nexodus.shared.websession;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.identity.ProviderDiscovery;
import io.nexodus.shared.identity.ProviderHttp;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The provider's token endpoint as the confidential web client ({@code nexodus.web.client-id}) calls it: the
 * authorization code for tokens at sign-in, a refresh token for new ones. The client authenticates with
 * {@code client_secret_post} (every OpenID provider accepts it; the secret never reaches a browser).
 */
@ApplicationScoped
public class TokenEndpoint {

    /** The provider answered, and said no (RFC 6749 §5.2): a used or expired code, a revoked refresh token. */
    public static final class Refused extends RuntimeException {
        public Refused(String error) {
            super(error, null, false, false);
        }
    }

    @Inject
    ProviderDiscovery discovery;

    @Inject
    WebSettings settings;

    @Inject
    ProviderHttp provider;

    public Uni<ProviderTokens> exchangeCode(String code, String redirectUri, String codeVerifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("code_verifier", codeVerifier);
        return call(form);
    }

    public Uni<ProviderTokens> refresh(String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        return call(form);
    }

    private Uni<ProviderTokens> call(Map<String, String> form) {
        form.put("client_id", settings.clientId());
        form.put("client_secret", settings.clientSecret());
        String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return discovery.backchannelEndpoint("token_endpoint").flatMap(url -> provider.send(
                        () -> HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("Accept", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        "the identity provider's token endpoint"))
                .map(this::read);
    }

    private ProviderTokens read(HttpResponse<String> response) {
        JsonNode answer = provider.json(response).orElse(null);
        if (response.statusCode() == 400 || response.statusCode() == 401) {
            throw new Refused(answer == null ? "HTTP " + response.statusCode() : answer.path("error").asText("unknown"));
        }
        if (response.statusCode() != 200 || answer == null || answer.path("access_token").asText("").isEmpty()) {
            throw ApiErrors.unavailable("the identity provider's token endpoint answered " + response.statusCode());
        }
        return ProviderTokens.of(answer);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
