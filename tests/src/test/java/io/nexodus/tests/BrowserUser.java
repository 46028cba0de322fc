package io.nexodus.tests;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A person at a browser, as far as an identity provider's own pages need one: follows redirects, keeps
 * cookies, and submits each HTML form it is shown, filling in the user code, user name and password it
 * knows and accepting a consent screen. No JavaScript: Keycloak's login, device and consent pages work
 * without it.
 */
final class BrowserUser {

    private static final Pattern FORM = Pattern.compile("<form[^>]*action=\"([^\"]*)\"[^>]*>(.*?)</form>",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern INPUT = Pattern.compile("<input([^>]*)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("\\bname=\"([^\"]*)\"");
    private static final Pattern VALUE = Pattern.compile("\\bvalue=\"([^\"]*)\"");

    /**
     * Redirects followed and cookies kept here, not by the client: Keycloak marks its cookies Secure, and
     * Java's CookieManager sends no Secure cookie over plain HTTP (a browser does, to localhost).
     */
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private java.util.function.Predicate<URI> stop = target -> false;
    /** The redirect target the last walk stopped at, or null. */
    URI stoppedAt;
    private final String username;
    private final String password;

    BrowserUser(String username, String password) {
        this.username = username;
        this.password = password;
    }

    /**
     * Opens {@code url} and answers forms until a page without one: returns that last page's text.
     *
     * @param userCode the device's user code, for a verification page that asks for it
     */
    String approve(String url, String userCode) throws IOException, InterruptedException {
        return approve(url, userCode, target -> false);
    }

    /**
     * As {@link #approve(String, String)}, but a redirect to a URL {@code stop} accepts is not followed: it is
     * where the walk ends ({@link #stoppedAt}), as a browser's address bar would show it (a web sign-in returning
     * to the console, or to {@code /web/login/end} when the test means to tamper with that request).
     */
    String approve(String url, String userCode, java.util.function.Predicate<URI> stop) throws IOException, InterruptedException {
        this.stop = stop;
        stoppedAt = null;
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(url)));
        for (int step = 0; step < 6; step++) {
            Matcher form = FORM.matcher(page.body());
            if (!form.find()) {
                return page.body();
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher input = INPUT.matcher(form.group(2));
            while (input.find()) {
                Matcher name = NAME.matcher(input.group(1));
                if (!name.find()) {
                    continue;
                }
                Matcher value = VALUE.matcher(input.group(1));
                fields.putIfAbsent(name.group(1), value.find() ? unescape(value.group(1)) : "");
            }
            fields.replaceAll((name, value) -> switch (name) {
                case "username" -> username;
                case "password" -> password;
                case "device_user_code" -> value.isEmpty() ? userCode : value;
                default -> value;
            });
            // a consent screen offers accept and cancel: accept only
            if (fields.containsKey("accept")) {
                fields.remove("cancel");
            }
            URI action = page.uri().resolve(unescape(form.group(1)));
            String body = fields.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                    .collect(Collectors.joining("&"));
            page = send(HttpRequest.newBuilder(action).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
        }
        throw new IllegalStateException("still shown a form after 6 pages: " + page.body());
    }

    /** Sends with the cookies kept, keeps the ones set, and follows redirects (as GETs). */
    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        for (int hop = 0; hop < 10; hop++) {
            if (!cookies.isEmpty()) {
                request.header("Cookie", cookies.entrySet().stream().map(c -> c.getKey() + "=" + c.getValue())
                        .collect(Collectors.joining("; ")));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (String set : response.headers().allValues("set-cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    String value = pair.substring(eq + 1);
                    if (value.isEmpty() || set.toLowerCase().contains("max-age=0")) {
                        cookies.remove(pair.substring(0, eq).trim());
                    } else {
                        cookies.put(pair.substring(0, eq).trim(), value);
                    }
                }
            }
            var location = response.headers().firstValue("location");
            if (response.statusCode() / 100 != 3 || location.isEmpty()) {
                return response;
            }
            URI target = response.uri().resolve(location.get());
            if (stop.test(target)) {
                stoppedAt = target;
                return response;
            }
            request = HttpRequest.newBuilder(target);
        }
        throw new IllegalStateException("more than 10 redirects");
    }

    /** The cookie the browser holds by that name (whoever set it), or null. */
    /**
     * Signs in to the web console as its sign-in button does: {@code <api>/web/login/start} with a page of the
     * console as the redirect, the provider's login form, back through {@code /web/login/end} to that page.
     *
     * @return the session cookie ({@code sid}) the API set
     */
    String signInToConsole(String api, String console, String page) throws IOException, InterruptedException {
        approve(api.replaceFirst("/$", "") + "/web/login/start?redirect=" + encode(console + page), null,
                target -> target.toString().startsWith(console));
        if (!URI.create(console + page).equals(stoppedAt)) {
            throw new AssertionError("sign-in did not come back to " + console + page + " but to " + stoppedAt);
        }
        String sid = cookie("sid");
        if (sid == null) {
            throw new AssertionError("no session cookie after signing in");
        }
        return sid;
    }

    String cookie(String name) {
        return cookies.get(name);
    }

    void cookie(String name, String value) {
        cookies.put(name, value);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String unescape(String html) {
        return html.replace("&amp;", "&").replace("&quot;", "\"").replace("&#x2F;", "/").replace("&#47;", "/")
                .replace("&lt;", "<").replace("&gt;", ">");
    }
}
