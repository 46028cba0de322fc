package io.nexodus.fn.auth;

import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.identity.ProviderDiscovery;
import io.nexodus.shared.websession.ConsoleOrigins;
import io.nexodus.shared.websession.Cookies;
import io.nexodus.shared.websession.TokenEndpoint;
import io.nexodus.shared.websession.WebSessionStore;
import io.nexodus.shared.websession.WebSettings;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The browser's sign-in and sign-out (Nexodus's LoginStart, LoginEnd and Logout in pkg/oidcagent/handlers.go): the
 * authorization-code flow of the confidential web client, with state, nonce and PKCE, ending in a new server-side
 * session behind the {@code sid} cookie. Unlike Nexodus, the browser is only ever sent back to a trusted console
 * origin (it redirected anywhere), and every sign-in makes a new session (never one whose cookie existed before).
 */
@ApplicationScoped
class WebSignIn {

    /** The {@code code} with which the provider's sign-out returns to {@code /web/login/end} (as Nexodus). */
    static final String LOGOUT_CODE = "logout";

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    ProviderDiscovery discovery;

    @Inject
    TokenEndpoint tokens;

    @Inject
    IdTokenVerifier idTokens;

    @Inject
    WebSessionStore sessions;

    @Inject
    ConsoleOrigins origins;

    @Inject
    WebSettings settings;

    /** What {@code /web/login/end} reads from the browser's cookies. */
    record Pending(String state, String nonce, String verifier, String redirect, String failure, String session) {
    }

    Uni<Redirect> start(String redirect, String failure, String baseUrl) {
        requireTrusted("redirect", redirect, true);
        requireTrusted("failure", failure, false);
        String state = random(16);
        String nonce = random(16);
        String verifier = random(32);
        boolean secure = settings.cookieSecure();
        List<String> cookies = new ArrayList<>(List.of(SignInCookies.set(SignInCookies.STATE, state, secure),
                SignInCookies.set(SignInCookies.NONCE, nonce, secure),
                SignInCookies.set(SignInCookies.VERIFIER, verifier, secure),
                SignInCookies.setUrl(SignInCookies.REDIRECT, redirect, secure)));
        cookies.add(failure == null || failure.isEmpty() ? cookiesCleared(SignInCookies.FAILURE)
                : SignInCookies.setUrl(SignInCookies.FAILURE, failure, secure));
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", settings.clientId());
        query.put("redirect_uri", callback(baseUrl));
        query.put("scope", settings.scopes());
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", challenge(verifier));
        query.put("code_challenge_method", "S256");
        return discovery.endpoint("authorization_endpoint").map(url -> new Redirect(withQuery(url, query), cookies));
    }

    Uni<Redirect> end(String code, String state, String error, Pending pending, String baseUrl) {
        String redirect = SignInCookies.url(pending.redirect());
        if (redirect == null || !origins.isTrustedTarget(redirect)) {
            throw ApiErrors.invalidField("redirect", "no sign-in in progress in this browser (its cookie is missing"
                    + " or expired): start at /web/login/start");
        }
        if (state == null || state.isEmpty() || !state.equals(pending.state())) {
            throw ApiErrors.invalidField("state", "does not match this browser's sign-in");
        }
        List<String> cookies = SignInCookies.clearAll(settings.cookieSecure());
        String failure = SignInCookies.url(pending.failure());
        String onFailure = failure != null && origins.isTrustedTarget(failure) ? failure : redirect;
        if (error != null && !error.isEmpty()) {
            // the user cancelled, or the provider refused: back to the console, not signed in (as Nexodus)
            return Uni.createFrom().item(new Redirect(onFailure, cookies));
        }
        if (LOGOUT_CODE.equals(code)) {
            // the provider's sign-out is done; the session was deleted by /web/logout before it went there
            return Uni.createFrom().item(new Redirect(redirect, cookies));
        }
        if (code == null || code.isEmpty()) {
            throw ApiErrors.fieldNotPresent("code");
        }
        return tokens.exchangeCode(code, callback(baseUrl), pending.verifier() == null ? "" : pending.verifier())
                .onFailure(TokenEndpoint.Refused.class)
                .transform(refused -> ApiErrors.invalidField("code", "the identity provider refused it: " + refused.getMessage()))
                .flatMap(issued -> {
                    if (issued.idToken() == null) {
                        return Uni.createFrom().failure(ApiErrors.unavailable("the identity provider issued no ID token"));
                    }
                    return idTokens.verify(issued.idToken(), pending.nonce())
                            .flatMap(id -> endPrevious(pending.session())
                                    .flatMap(ignored -> sessions.create(issued, id.getIssuer(), id.getSubject())));
                })
                .map(sid -> {
                    cookies.add(Cookies.set(Cookies.SESSION, sid, "/", settings.max(), settings.cookieSecure()));
                    return new Redirect(redirect, cookies);
                });
    }

    /**
     * Deletes the session, then sends the browser through the provider's end-session endpoint (its SSO session
     * ends too), which returns to {@code /web/login/end?code=logout} and from there to {@code redirect}.
     */
    Uni<Redirect> logout(String redirect, String sessionCookie, String baseUrl) {
        requireTrusted("redirect", redirect, true);
        boolean secure = settings.cookieSecure();
        List<String> cookies = new ArrayList<>(List.of(Cookies.clear(Cookies.SESSION, "/", secure)));
        Uni<io.nexodus.shared.websession.WebSession> deleted = sessionCookie == null ? Uni.createFrom().nullItem()
                : sessions.delete(sessionCookie);
        return deleted.flatMap(session -> {
            if (session == null || session.idToken() == null) {
                return Uni.createFrom().item(new Redirect(redirect, cookies));
            }
            String state = random(16);
            cookies.add(SignInCookies.set(SignInCookies.STATE, state, secure));
            cookies.add(SignInCookies.setUrl(SignInCookies.REDIRECT, redirect, secure));
            Map<String, String> query = new LinkedHashMap<>();
            query.put("client_id", settings.clientId());
            query.put("id_token_hint", session.idToken());
            query.put("post_logout_redirect_uri", withQuery(callback(baseUrl), Map.of("code", LOGOUT_CODE, "state", state)));
            return discovery.document().map(document -> {
                String endSession = document.path("end_session_endpoint").asText("");
                // a provider without RP-initiated logout: our session is gone, theirs stays
                return new Redirect(endSession.isEmpty() ? redirect : withQuery(endSession, query), cookies);
            });
        });
    }

    private Uni<Void> endPrevious(String sessionCookie) {
        return sessionCookie == null ? Uni.createFrom().voidItem() : sessions.delete(sessionCookie).replaceWithVoid();
    }

    private void requireTrusted(String field, String url, boolean required) {
        if (url == null || url.isEmpty()) {
            if (required) {
                throw ApiErrors.fieldNotPresent(field);
            }
            return;
        }
        if (!origins.isTrustedTarget(url)) {
            throw ApiErrors.invalidField(field, "not a URL of a trusted console origin (NEXODUS_CONSOLE_ORIGINS)");
        }
    }

    private String cookiesCleared(String name) {
        return Cookies.clear(name, SignInCookies.PATH, settings.cookieSecure());
    }

    private String callback(String baseUrl) {
        return settings.publicUrl().orElse(baseUrl) + "/web/login/end";
    }

    private static String withQuery(String url, Map<String, String> query) {
        Function<String, String> enc = s -> URLEncoder.encode(s, StandardCharsets.UTF_8);
        return url + (url.contains("?") ? "&" : "?") + query.entrySet().stream()
                .map(e -> enc.apply(e.getKey()) + "=" + enc.apply(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** PKCE S256 (RFC 7636 §4.2). */
    private static String challenge(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(BearerTokens.hash(verifier));
    }
}
