package io.nexodus.shared.websession;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import java.time.Duration;

/**
 * {@code Set-Cookie} values of the web sign-in: always HttpOnly (no script reads a credential) and SameSite=Lax
 * (sent on the top-level navigation back from the provider, and by the console at H to api.H, the same site;
 * never on another site's form post), Secure unless {@code nexodus.web.cookie-secure=false}.
 */
public final class Cookies {

    /** The session cookie, under Nexodus's name ({@code SESSION_ID_COOKIE_NAME} of its envoy_authz.go). */
    public static final String SESSION = "sid";

    private Cookies() {
    }

    public static String set(String name, String value, String path, Duration maxAge, boolean secure) {
        return cookie(name, value, path, secure).setMaxAge(maxAge.toSeconds()).encode();
    }

    /** Tells the browser to drop the cookie (same name and path as it was set with). */
    public static String clear(String name, String path, boolean secure) {
        // Max-Age=0; the encoder adds an Expires of now, for browsers that only know Expires
        return cookie(name, "", path, secure).setMaxAge(0).encode();
    }

    private static Cookie cookie(String name, String value, String path, boolean secure) {
        return Cookie.cookie(name, value).setPath(path).setHttpOnly(true).setSecure(secure)
                .setSameSite(CookieSameSite.LAX);
    }
}
