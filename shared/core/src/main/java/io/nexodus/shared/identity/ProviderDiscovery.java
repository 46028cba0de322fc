package io.nexodus.shared.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The identity provider's OpenID Connect discovery document (in shared/core: the auth function's login routes and
 * every function's refresh of a web session's tokens read it), fetched on first use (never at
 * start-up: a cold start pays nothing for it) and kept for a few minutes, so a burst of agents logging in
 * costs the provider one request. {@code POST /device/login/start} needs no token, so while the provider
 * fails, its failure is kept too ({@code nexodus.auth.discovery-failure-keep}), and concurrent callers
 * share the one fetch in flight: nobody can make this function hammer a provider that is down.
 */
@ApplicationScoped
public class ProviderDiscovery {

    static final Duration KEEP = Duration.ofMinutes(5);

    private record Known(JsonNode document, long fetchedAtMillis) {
    }

    private record Failed(Throwable failure, long failedAtMillis) {
    }

    @ConfigProperty(name = "nexodus.auth.discovery-url")
    String discoveryUrl;

    /**
     * Where this function reaches the provider when the URLs its discovery document names are for browsers and
     * agents only (Nexodus's NEXAPI_OIDC_BACKCHANNEL): in a KIND install the issuer is http://localhost:8081, which
     * the host reaches and a pod does not. Set, an endpoint this function calls itself ({@link #backchannelEndpoint})
     * under the document's issuer is called under this base instead; the browser's endpoints are never rewritten.
     */
    @ConfigProperty(name = "nexodus.auth.provider-backchannel")
    Optional<String> backchannel;

    @ConfigProperty(name = "nexodus.auth.discovery-failure-keep", defaultValue = "PT10S")
    Duration failureKeep;

    @Inject
    ProviderHttp provider;

    private volatile Known known;
    private volatile Failed failed;
    private Uni<JsonNode> inFlight;

    public Uni<JsonNode> document() {
        return Uni.createFrom().deferred(() -> {
            long now = System.currentTimeMillis();
            Known current = known;
            if (current != null && now - current.fetchedAtMillis() < KEEP.toMillis()) {
                return Uni.createFrom().item(current.document());
            }
            Failed lastFailure = failed;
            if (lastFailure != null && now - lastFailure.failedAtMillis() < failureKeep.toMillis()) {
                return Uni.createFrom().failure(lastFailure.failure());
            }
            return sharedFetch();
        });
    }

    /** The fetch in flight, or a new one that every caller until it ends shares. */
    private synchronized Uni<JsonNode> sharedFetch() {
        if (inFlight == null) {
            inFlight = fetch()
                    .onItem().invoke(document -> {
                        known = new Known(document, System.currentTimeMillis());
                        failed = null;
                    })
                    .onFailure().invoke(failure -> failed = new Failed(failure, System.currentTimeMillis()))
                    .onTermination().invoke(this::fetched)
                    .memoize().indefinitely();
        }
        return inFlight;
    }

    private synchronized void fetched() {
        inFlight = null;
    }

    /** An endpoint the document names ({@code authorization_endpoint}, …), or 503 naming it when the provider offers none. */
    public Uni<String> endpoint(String name) {
        return document().map(document -> required(document, name));
    }

    /**
     * An endpoint this function calls itself ({@code token_endpoint}, {@code userinfo_endpoint}, {@code jwks_uri}):
     * as the document names it, or through {@code nexodus.auth.provider-backchannel} when that is set.
     */
    public Uni<String> backchannelEndpoint(String name) {
        return document().map(document -> backchannel(document, required(document, name)));
    }

    /** {@code url} under the document's issuer, moved under the backchannel base when one is set. */
    public String backchannel(JsonNode document, String url) {
        String issuer = trimSlash(document.path("issuer").asText(""));
        return backchannel.map(ProviderDiscovery::trimSlash).filter(base -> !base.isBlank() && !issuer.isBlank()
                        && url.startsWith(issuer + "/"))
                .map(base -> base + url.substring(issuer.length()))
                .orElse(url);
    }

    private static String required(JsonNode document, String name) {
        String url = document.path(name).asText("");
        if (url.isBlank()) {
            throw ApiErrors.unavailable("the identity provider's discovery document names no " + name);
        }
        return url;
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private Uni<JsonNode> fetch() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(discoveryUrl)).timeout(Duration.ofSeconds(5))
                .header("Accept", "application/json").GET().build();
        return provider.send(() -> request, "the identity provider").map(response -> {
            if (response.statusCode() != 200) {
                throw ApiErrors.unavailable("the identity provider's discovery document answered " + response.statusCode());
            }
            return provider.json(response).orElseThrow(
                    () -> ApiErrors.unavailable("the identity provider's discovery document is not JSON"));
        });
    }
}
