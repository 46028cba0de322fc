package io.nexodus.shared.websession;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The web console's sign-in settings (docs/identity.md, "Web console sign-in"). Every function reads them, not
 * only auth: any function may have to refresh a session's access token when the console's call arrives.
 */
@ApplicationScoped
public class WebSettings {

    /** The confidential client of the authorization-code flow (the shipped realm's {@code nexodus-web}). */
    @ConfigProperty(name = "nexodus.web.client-id")
    String clientId;

    @ConfigProperty(name = "nexodus.web.client-secret")
    Optional<String> clientSecret;

    /** Off only for plain-HTTP local runs: a Secure cookie never travels over plain HTTP (but to localhost). */
    @ConfigProperty(name = "nexodus.web.cookie-secure")
    boolean cookieSecure;

    /** A session unused this long ends (each authenticated call slides it). */
    @ConfigProperty(name = "nexodus.web.session-idle")
    Duration idle;

    /** A session ends this long after sign-in, however busy. */
    @ConfigProperty(name = "nexodus.web.session-max")
    Duration max;

    /** What the console's access token must allow: the read:/write: scopes of the API (ScopeRules). */
    @ConfigProperty(name = "nexodus.web.scopes")
    String scopes;

    /**
     * The public base URL of the API host (https://api.example.com): where the provider sends the browser back
     * ({@code /web/login/end}). Unset, the request's own scheme and host, which is right only without a proxy
     * rewriting Host (the front door sets Host to the function's cluster name, so a deployment sets this).
     */
    @ConfigProperty(name = "nexodus.web.public-url")
    Optional<String> publicUrl;

    public String clientId() {
        return clientId;
    }

    public String clientSecret() {
        return clientSecret.filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalStateException(
                "nexodus.web.client-secret (env NEXODUS_WEB_CLIENT_SECRET) is not set: the web console cannot sign in"));
    }

    public boolean cookieSecure() {
        return cookieSecure;
    }

    public Duration idle() {
        return idle;
    }

    public Duration max() {
        return max;
    }

    public String scopes() {
        return scopes;
    }

    public Optional<String> publicUrl() {
        return publicUrl.filter(s -> !s.isBlank()).map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }
}
