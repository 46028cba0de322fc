package io.nexodus.shared.identity;

import io.nexodus.shared.http.FunqyDispatch;
import io.nexodus.shared.http.FunqyFunctions;
import io.quarkus.funqy.runtime.FunctionInvoker;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import java.util.Optional;

/**
 * The scope an identity-provider token needs for a request: Nexodus's {@code internal/routers/token.rego} for
 * its JWTs. A REST route needs {@code read:<family>} to GET and {@code write:<family>} for anything
 * else, the family named by the path's first segment after {@code /api/}; {@code fflags} needs none;
 * the watch streams ({@code POST /api/events}, {@code POST /api/vpcs/{id}/events}) need {@code read:organizations},
 * as the list routes whose rows they show. A Funqy function (by name or CloudEvent type) needs what its
 * {@link RequiresScope} says. Registration keys and device tokens are limited by {@link CredentialScope}.
 */
public final class ScopeRules {

    /** {@code /api/<segment>} → its scope family. A segment not listed needs no scope (it has no route: 404). */
    private static final Map<String, String> FAMILIES = Map.of(
            "organizations", "organizations", "invitations", "organizations", "reg-keys", "organizations",
            "vpcs", "organizations", "security-groups", "organizations", "service-networks", "organizations",
            "devices", "devices", "sites", "devices",
            "users", "users");

    /** {@code POST /api/vpcs/{id}/events}: a watch, a read despite its method. */
    private static final java.util.regex.Pattern WATCH_IN_VPC = java.util.regex.Pattern.compile("/api/vpcs/[^/]+/events");

    /** What every watch kind shows is read under {@code /api/vpcs/…}: the organizations family. */
    static final String WATCH_SCOPE = "read:organizations";

    private ScopeRules() {
    }

    /**
     * @param dispatch what Funqy will run for the request, or null when Funqy does not serve its path
     * @return the scope the request needs, or empty when it needs none
     */
    public static Optional<String> required(HttpMethod method, String path, FunqyDispatch dispatch) {
        if (path.startsWith("/api/")) {
            return restRoute(method, path);
        }
        if (dispatch == null) {
            return Optional.empty(); // neither a Nexodus route nor Funqy's: its own route checks what it serves
        }
        FunctionInvoker function = FunqyFunctions.invokerFor(path, dispatch.isCloudEvent() ? dispatch.ceType() : null);
        RequiresScope scope = function == null ? null : function.getMethod().getAnnotation(RequiresScope.class);
        return scope == null ? Optional.empty() : Optional.of(scope.value());
    }

    private static Optional<String> restRoute(HttpMethod method, String path) {
        int end = path.indexOf('/', 5);
        String segment = end < 0 ? path.substring(5) : path.substring(5, end);
        if (method == HttpMethod.POST && (path.equals("/api/events") || WATCH_IN_VPC.matcher(path).matches())) {
            // a watch stream reads what GET /api/vpcs/{id}/devices, …/security-groups and …/metadata read
            return Optional.of(WATCH_SCOPE);
        }
        String family = FAMILIES.get(segment);
        if (family == null) {
            return Optional.empty();
        }
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
        return Optional.of((read ? "read:" : "write:") + family);
    }
}
