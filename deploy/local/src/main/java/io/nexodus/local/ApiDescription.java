package io.nexodus.local;

import io.nexodus.shared.identity.PublicPaths;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * What the scan of the REST resources cannot know about the API, added to the description at build time (so
 * the committed per-function cuts carry it too): every operation but the few that take no token requires the
 * bearer token (Swagger UI's "Authorize" then sends it with "Try it out"), each operation is tagged with the
 * resource it serves rather than its Java class, and answers the error statuses every route can give (the body
 * is always {@code {"error": ..., "field": ...}}: docs/compatibility.md). Named by {@code mp.openapi.filter} in
 * this module's application.properties, so the cross-function tests' application, which reads that file but does
 * not index this module, describes the API the same way.
 */
public class ApiDescription implements OASFilter {

    /** The scheme's name in {@code components.securitySchemes}. */
    static final String BEARER = "bearer";

    /** Paths that take no token: the very setting authentication skips them by (README "What takes no token"). */
    private final List<String> publicPaths = ConfigProvider.getConfig().getValues(PublicPaths.SETTING, String.class);

    /** The resource each path serves, by its first segments: Swagger UI groups operations by it. */
    private static final Map<String, String> TAGS = Map.ofEntries(
            Map.entry("/api/users", "Users"),
            Map.entry("/api/organizations", "Organizations"),
            Map.entry("/api/invitations", "Invitations"),
            Map.entry("/api/vpcs", "VPCs"),
            Map.entry("/api/devices", "Devices"),
            Map.entry("/api/security-groups", "Security groups"),
            Map.entry("/api/reg-keys", "Registration keys"),
            Map.entry("/api/fflags", "Feature flags"),
            Map.entry("/api/events", "Watch"),
            Map.entry("/device", "Device sign-in"),
            Map.entry("/web", "Web console sign-in"),
            Map.entry("/dev", "Local development"),
            Map.entry("/private", "Cluster-internal"));

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().setSecuritySchemes(Map.of(BEARER, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("A user's access token (OIDC_ISSUER's), a registration key (RK:...) or a device token"
                        + " (DT:...), each where the route allows it")));
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach((method, operation) ->
                describe(path, method, operation)));
    }

    private void describe(String path, PathItem.HttpMethod method, Operation operation) {
        operation.setTags(List.of(tagOf(path)));
        boolean open = PublicPaths.covers(publicPaths, path);
        // an empty list, not none: "this operation needs no token" overrides any document-wide requirement
        operation.setSecurity(open ? List.of()
                : List.of(OASFactory.createSecurityRequirement().addScheme(BEARER)));
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        boolean hasInput = operation.getRequestBody() != null
                || (operation.getParameters() != null && !operation.getParameters().isEmpty())
                || path.contains("{");
        if (hasInput) {
            error(responses, "400", "Invalid input: the body names the field (`field`) and what is wrong with it");
        }
        if (!open) {
            error(responses, "401", "No token, or one that is expired, revoked or not trusted");
            error(responses, "403", "The token lacks the scope or the role this operation needs");
        }
        if (path.contains("{")) {
            error(responses, "404", "Not found, or not visible to the caller (another tenant's)");
        }
        if (method == PathItem.HttpMethod.POST && List.of("/api/organizations", "/api/devices").contains(path)) {
            error(responses, "409", "Already exists (an organization's name, a device's public key): the body"
                    + " names the existing resource where the caller may see it");
        }
        if (method == PathItem.HttpMethod.POST && List.of("/api/invitations", "/api/events", "/api/vpcs/{id}/events")
                .contains(path)) {
            error(responses, "429", "Too many at once (pending invitations of an organization, open watch streams of a"
                    + " caller)");
        }
    }

    private static void error(APIResponses responses, String status, String description) {
        if (!responses.hasAPIResponse(status)) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description));
        }
    }

    private static String tagOf(String path) {
        return TAGS.entrySet().stream().filter(e -> path.equals(e.getKey()) || path.startsWith(e.getKey() + "/"))
                .map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new IllegalStateException("no tag for " + path + ": add it to ApiDescription.TAGS"));
    }
}
