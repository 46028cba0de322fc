package io.nexodus.fn.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.flags.FeatureFlags;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;

/** Nexodus's feature flags (its internal/handlers/fflags.go), read from configuration by {@link FeatureFlags}. Any token may read them. */
@ApplicationScoped
public class Flags {

    /** One flag by name. */
    public record FlagRef(@JsonProperty("name") String name) {
    }

    @Inject
    FeatureFlags flags;

    @Funq("list-fflags")
    @CloudEventMapping(trigger = "io.nexodus.fflags.list", responseType = "io.nexodus.fflags.listed")
    public Map<String, Boolean> list(NoInput ignored) {
        return flags.all();
    }

    @Funq("get-fflag")
    @CloudEventMapping(trigger = "io.nexodus.fflag.get", responseType = "io.nexodus.fflag.fetched")
    public Map<String, Boolean> get(FlagRef ref) {
        String name = ref == null ? null : ref.name();
        if (name == null || name.isBlank()) {
            throw ApiErrors.fieldNotPresent("name");
        }
        Boolean enabled = flags.all().get(name);
        if (enabled == null) {
            throw ApiErrors.notFound("fflag");
        }
        return Map.of(name, enabled);
    }
}
