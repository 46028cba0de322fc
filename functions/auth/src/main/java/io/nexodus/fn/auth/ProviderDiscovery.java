package io.nexodus.fn.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The identity provider's OpenID Connect discovery document, fetched on the first login start (never at
 * start-up: a cold start pays nothing for it) and kept for a few minutes, so a burst of agents logging in
 * costs the provider one request.
 */
@ApplicationScoped
public class ProviderDiscovery {

    static final Duration KEEP = Duration.ofMinutes(5);

    private record Known(JsonNode document, long fetchedAtMillis) {
    }

    @ConfigProperty(name = "nexodus.auth.discovery-url")
    String discoveryUrl;

    @Inject
    ObjectMapper mapper;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private volatile Known known;

    public Uni<JsonNode> document() {
        Known current = known;
        if (current != null && System.currentTimeMillis() - current.fetchedAtMillis() < KEEP.toMillis()) {
            return Uni.createFrom().item(current.document());
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(discoveryUrl)).timeout(Duration.ofSeconds(5))
                .header("Accept", "application/json").GET().build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw ApiErrors.unavailable("the identity provider's discovery document answered "
                                + response.statusCode());
                    }
                    try {
                        JsonNode document = mapper.readTree(response.body());
                        known = new Known(document, System.currentTimeMillis());
                        return document;
                    } catch (java.io.IOException e) {
                        throw ApiErrors.unavailable("the identity provider's discovery document is not JSON");
                    }
                })
                .onFailure(failure -> !(failure instanceof io.nexodus.shared.error.ApiException))
                .transform(failure -> ApiErrors.unavailable("the identity provider cannot be reached"));
    }
}
