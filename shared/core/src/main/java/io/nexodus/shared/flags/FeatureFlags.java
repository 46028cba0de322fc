package io.nexodus.shared.flags;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Nexodus's feature flags (api.md §0 and §3), from configuration ({@code nexodus.fflag.<name>}, set by
 * Nexodus's environment names {@code NEXAPI_FFLAG_*}). {@code sites} and {@code ca} are always off: the
 * sites feature is not rebuilt (functions/ROUTES.md).
 */
@ApplicationScoped
public class FeatureFlags {

    @ConfigProperty(name = "nexodus.fflag.multi-organization")
    boolean multiOrganization;

    @ConfigProperty(name = "nexodus.fflag.security-groups")
    boolean securityGroups;

    @ConfigProperty(name = "nexodus.fflag.devices")
    boolean devices;

    /** @return every flag by name, in Nexodus's order */
    public Map<String, Boolean> all() {
        Map<String, Boolean> flags = new LinkedHashMap<>();
        flags.put("multi-organization", multiOrganization);
        flags.put("security-groups", securityGroups);
        flags.put("devices", devices);
        flags.put("sites", false);
        flags.put("ca", false);
        return flags;
    }
}
