package io.nexodus.shared.identity;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a registration key or a device token may call: Nexodus's {@code token.rego} (api.md §13), as
 * method + path patterns on the REST routes. A user token may call everything (its tenant is checked
 * by {@code Access}). Opaque tokens are for agents, which only use the REST API, so the Funqy and
 * CloudEvent bindings take user tokens only.
 */
final class CredentialScope {

    private record Rule(Pattern methods, Pattern path) {
        boolean matches(HttpMethod method, String p) {
            return methods.matcher(method.name()).matches() && path.matcher(p).matches();
        }
    }

    private static final String ID = "[^/]+";

    private static final List<Rule> REG_KEY = List.of(
            rule("GET", "/api/reg-keys/me"),
            rule("POST", "/api/devices"),
            rule("PATCH", "/api/devices/" + ID),
            rule("PUT", "/api/devices/" + ID + "/metadata/" + ID),
            rule("GET", "/api/(organizations|vpcs|devices)(/.*)?"));

    private static final List<Rule> DEVICE_TOKEN = List.of(
            rule("GET", "/api/devices(/.*)?"),
            rule("PATCH", "/api/devices/" + ID),
            rule("PUT", "/api/devices/" + ID + "/metadata/" + ID),
            rule("GET", "/api/(organizations|vpcs)(/.*)?"),
            rule("POST", "/api/vpcs/" + ID + "/events"),
            rule("POST", "/api/events"));

    private CredentialScope() {
    }

    private static Rule rule(String methods, String path) {
        return new Rule(Pattern.compile(methods), Pattern.compile(path));
    }

    static boolean allows(Caller caller, HttpMethod method, String path) {
        return switch (caller.kind()) {
            case USER_TOKEN -> true;
            case REG_KEY -> REG_KEY.stream().anyMatch(r -> r.matches(method, path));
            case DEVICE_TOKEN -> DEVICE_TOKEN.stream().anyMatch(r -> r.matches(method, path));
        };
    }
}
