package io.nexodus.shared.websession;

import io.nexodus.shared.error.ErrorBody;
import io.nexodus.shared.error.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * The session cookie as a credential (BearerAuthentication asks here when a request carries no bearer token):
 * the session's access token stands in for one. A browser sends the cookie with every request to the API host,
 * whichever page caused it, so a write authenticated by it must come from the console: its {@code Origin} must be
 * a trusted console origin (CSRF). SameSite=Lax already keeps the cookie off other sites' POSTs; the Origin check
 * also covers a sibling host of the same site.
 */
@ApplicationScoped
public class SessionAuthentication {

    private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);

    @Inject
    WebSessions sessions;

    @Inject
    ConsoleOrigins origins;

    /** The session cookie's value, or null. */
    public static String cookie(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(Cookies.SESSION);
        return cookie == null || cookie.getValue().isBlank() ? null : cookie.getValue();
    }

    /** @return why the request may not use the cookie, or null when it may */
    public ApiException refusal(RoutingContext ctx) {
        return refusal(ctx.request().method(), ctx.request().getHeader("Origin"));
    }

    /** @return why a request of this method from this Origin may not use the cookie, or null when it may */
    public ApiException refusal(HttpMethod method, String origin) {
        if (!WRITES.contains(method)) {
            return null;
        }
        if (origin == null) {
            return crossSite("a write authenticated by the session cookie must carry an Origin header"
                    + " (CSRF): send a bearer token, or call from the web console");
        }
        return origins.isTrusted(origin) ? null
                : crossSite("a write authenticated by the session cookie must come from a trusted console"
                        + " origin (NEXODUS_CONSOLE_ORIGINS); " + origin + " is not one (CSRF)");
    }

    /** 403 naming the {@code Origin} header. */
    private static ApiException crossSite(String reason) {
        return new ApiException(403, new ErrorBody("forbidden", "Origin", reason, null, null, null));
    }

    /** The session's access token, refreshed when it has expired. */
    public Uni<String> accessToken(String cookie) {
        return sessions.current(cookie).map(WebSession::accessToken);
    }
}
