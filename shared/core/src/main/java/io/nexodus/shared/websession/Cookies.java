package io.nexodus.shared.websession;

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
        return name + "=" + value + "; Path=" + path + "; Max-Age=" + maxAge.toSeconds() + "; HttpOnly"
                + (secure ? "; Secure" : "") + "; SameSite=Lax";
    }

    /** Tells the browser to drop the cookie (same name and path as it was set with). */
    public static String clear(String name, String path, boolean secure) {
        return name + "=; Path=" + path + "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly"
                + (secure ? "; Secure" : "") + "; SameSite=Lax";
    }
}
