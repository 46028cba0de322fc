package io.nexodus.shared.flags;

import io.nexodus.shared.error.ApiErrors;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Nexodus's feature flags (its internal/fflags/fflags.go and FlagCheck in internal/handlers/api.go), from
 * configuration ({@code nexodus.fflag.<name>}, set by Nexodus's environment names {@code NEXAPI_FFLAG_*}).
 * {@code sites} and {@code ca} are always off: the sites feature is not rebuilt (functions/ROUTES.md). A route
 * guarded by a flag that is off answers 405 ({@link #require}), checked before anything else about the request, as
 * Nexodus does.
 */
@ApplicationScoped
public class FeatureFlags {

    public static final String MULTI_ORGANIZATION = "multi-organization";
    public static final String SECURITY_GROUPS = "security-groups";
    public static final String DEVICES = "devices";

    @ConfigProperty(name = "nexodus.fflag.multi-organization")
    boolean multiOrganization;

    @ConfigProperty(name = "nexodus.fflag.security-groups")
    boolean securityGroups;

    @ConfigProperty(name = "nexodus.fflag.devices")
    boolean devices;

    /** @return every flag by name, in Nexodus's order */
    public Map<String, Boolean> all() {
        Map<String, Boolean> flags = new LinkedHashMap<>();
        flags.put(MULTI_ORGANIZATION, multiOrganization);
        flags.put(SECURITY_GROUPS, securityGroups);
        flags.put(DEVICES, devices);
        flags.put("sites", false);
        flags.put("ca", false);
        return flags;
    }

    /** @throws io.nexodus.shared.error.ApiException 405 when {@code flag} is off (or not a flag) */
    public void require(String flag) {
        if (!Boolean.TRUE.equals(all().get(flag))) {
            throw ApiErrors.featureDisabled(flag);
        }
    }
}
