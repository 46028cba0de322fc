package io.nexodus.fn.auth;

import io.nexodus.shared.websession.Cookies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The short-lived cookies that carry a sign-in (or sign-out) from its start to {@code /web/login/end} in the same
 * browser: Nexodus's {@code state}, {@code nonce}, {@code redirect} and {@code failure}, and the PKCE verifier.
 * Path {@code /web/}: the API never sees them. Ten minutes: a login page left open longer starts over.
 */
final class SignInCookies {

    static final String STATE = "state";
    static final String NONCE = "nonce";
    static final String VERIFIER = "code_verifier";
    static final String REDIRECT = "redirect";
    static final String FAILURE = "failure";
    static final List<String> ALL = List.of(STATE, NONCE, VERIFIER, REDIRECT, FAILURE);

    static final String PATH = "/web/";
    static final Duration LIFETIME = Duration.ofMinutes(10);

    private SignInCookies() {
    }

    static String set(String name, String value, boolean secure) {
        return Cookies.set(name, value, PATH, LIFETIME, secure);
    }

    /** A URL in a cookie: base64url, since a URL may hold characters a cookie value may not ({@code ; , "}). */
    static String setUrl(String name, String url, boolean secure) {
        return set(name, Base64.getUrlEncoder().withoutPadding().encodeToString(url.getBytes(StandardCharsets.UTF_8)), secure);
    }

    static String url(String cookieValue) {
        if (cookieValue == null || cookieValue.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cookieValue), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Every sign-in cookie cleared: once {@code /web/login/end} ran, none of them may be used again. */
    static List<String> clearAll(boolean secure) {
        List<String> cleared = new ArrayList<>();
        ALL.forEach(name -> cleared.add(Cookies.clear(name, PATH, secure)));
        return cleared;
    }
}
