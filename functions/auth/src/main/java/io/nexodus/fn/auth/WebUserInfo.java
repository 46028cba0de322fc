package io.nexodus.fn.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.identity.ProviderDiscovery;
import io.nexodus.shared.identity.ProviderHttp;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code GET /web/user_info}: the provider's userinfo endpoint, asked with the session's access token (as Nexodus). */
@ApplicationScoped
class WebUserInfo {

    /** Nexodus's {@code models.UserInfoResponse} (pkg/oidcagent/models/models.go). */
    record UserInfo(@JsonProperty("sub") String subject, @JsonProperty("preferred_username") String preferredUsername,
            @JsonProperty("given_name") String givenName, @JsonProperty("updated_at") long updatedAt,
            @JsonProperty("family_name") String familyName, @JsonProperty("picture") String picture,
            @JsonProperty("email_verified") boolean emailVerified, @JsonProperty("email") String email) {
    }

    @Inject
    ProviderDiscovery discovery;

    @Inject
    ProviderHttp provider;

    Uni<UserInfo> of(String accessToken) {
        return discovery.backchannelEndpoint("userinfo_endpoint").flatMap(url -> provider.send(
                        () -> HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + accessToken).header("Accept", "application/json").GET().build(),
                        "the identity provider's userinfo endpoint"))
                .map(this::read);
    }

    private UserInfo read(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw ApiErrors.unavailable("the identity provider's userinfo endpoint answered " + response.statusCode());
        }
        JsonNode c = provider.json(response)
                .orElseThrow(() -> ApiErrors.unavailable("the identity provider's userinfo answer is not JSON"));
        return new UserInfo(c.path("sub").asText(""), c.path("preferred_username").asText(""),
                c.path("given_name").asText(""), c.path("updated_at").asLong(0), c.path("family_name").asText(""),
                c.path("picture").asText(""), c.path("email_verified").asBoolean(false), c.path("email").asText(""));
    }
}
