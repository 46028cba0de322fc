package io.nexodus.shared.identity;

import io.nexodus.shared.http.FunqyDispatch;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a registration key or a device token may call: Nexodus's {@code internal/routers/token.rego}, as
 * method + path patterns on the REST routes. A user token may call everything (its tenant is checked
 * by {@code Access}). Opaque tokens are for agents, which only use the REST API, so the Funqy and
 * CloudEvent bindings take user tokens only. The service token may only start scheduled work: gc, by
 * its private route, its Funqy name or the schedule's CloudEvent (a PingSource's fixed type).
 */
final class CredentialScope {

    private record Rule(Pattern methods, Pattern path) {
        boolean matches(HttpMethod method, String p) {
            return methods.matcher(method.name()).matches() && path.matcher(p).matches();
        }
    }

    private static final String ID = "[^/]+";

    /** Reads under organizations and VPCs, but an organization's audit trail, which is for its owners' user tokens. */
    private static final String ORG_AND_VPC_READS = "/api/(organizations|vpcs)(?!/" + ID + "/events$)(/.*)?";

    private static final List<Rule> REG_KEY = List.of(
            rule("GET", "/api/reg-keys/me"),
            rule("POST", "/api/devices"),
            rule("PATCH", "/api/devices/" + ID),
            rule("PUT", "/api/devices/" + ID + "/metadata/" + ID),
            rule("GET", ORG_AND_VPC_READS),
            rule("GET", "/api/devices(/.*)?"));

    private static final List<Rule> DEVICE_TOKEN = List.of(
            rule("GET", "/api/devices(/.*)?"),
            rule("PATCH", "/api/devices/" + ID),
            rule("PUT", "/api/devices/" + ID + "/metadata/" + ID),
            rule("GET", ORG_AND_VPC_READS),
            rule("POST", "/api/vpcs/" + ID + "/events"),
            rule("POST", "/api/events"));

    /** The service token's REST route; its Funqy function and CloudEvent are checked on what Funqy dispatches. */
    private static final List<Rule> SERVICE = List.of(rule("GET", "/private/gc"));

    /** gc's function name: the one plain Funqy call the service token may make. */
    private static final String SERVICE_FUNCTION = "/gc";

    /** CloudEvent types the service token may deliver, on any path Funqy serves (Funqy dispatches by type). */
    static final Set<String> SERVICE_EVENT_TYPES = Set.of("dev.knative.sources.ping");

    private CredentialScope() {
    }

    private static Rule rule(String methods, String path) {
        return new Rule(Pattern.compile(methods), Pattern.compile(path));
    }

    /** A PingSource's CloudEvent (its type is fixed), which Funqy dispatches to gc's function only. */
    static boolean isScheduleTick(HttpMethod method, FunqyDispatch dispatch) {
        return method == HttpMethod.POST && dispatch != null && dispatch.isCloudEvent()
                && SERVICE_EVENT_TYPES.contains(dispatch.ceType());
    }

    /** @param dispatch what Funqy runs for the request, null when Funqy does not serve its path */
    static boolean allows(Caller caller, HttpMethod method, String path, FunqyDispatch dispatch) {
        return switch (caller.kind()) {
            case USER_TOKEN -> true;
            case REG_KEY -> REG_KEY.stream().anyMatch(r -> r.matches(method, path));
            case DEVICE_TOKEN -> DEVICE_TOKEN.stream().anyMatch(r -> r.matches(method, path));
            case SERVICE -> dispatch == null ? SERVICE.stream().anyMatch(r -> r.matches(method, path))
                    : dispatch.isCloudEvent() ? isScheduleTick(method, dispatch)
                            : method == HttpMethod.POST && path.equals(SERVICE_FUNCTION);
            // the tick without a credential: exactly the schedule's event, to gc's function
            case SCHEDULE -> isScheduleTick(method, dispatch);
        };
    }
}
