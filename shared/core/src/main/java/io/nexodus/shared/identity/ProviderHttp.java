package io.nexodus.shared.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The calls to the identity provider (its discovery document, token and userinfo endpoints): one HTTP client for
 * them all (each JDK client keeps a selector thread of its own), and one rule for a provider that cannot be
 * reached: a 503 naming what was asked. What the provider answered is the caller's to judge.
 */
@ApplicationScoped
public class ProviderHttp {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    ObjectMapper mapper;

    /**
     * @param request made when the call is made: a request that cannot be made (an endpoint URL that is not one)
     *                fails as the call does
     * @param what    the provider's part, as a 503 names it ("the identity provider's token endpoint")
     */
    public Uni<HttpResponse<String>> send(Supplier<HttpRequest> request, String what) {
        return Uni.createFrom().completionStage(() -> http.sendAsync(request.get(), HttpResponse.BodyHandlers.ofString()))
                .onFailure().transform(failure -> ApiErrors.unavailable(what + " cannot be reached"));
    }

    /** The answer's body as JSON; empty when it is not JSON. */
    public Optional<JsonNode> json(HttpResponse<String> response) {
        try {
            return Optional.ofNullable(mapper.readTree(response.body()));
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }
}
