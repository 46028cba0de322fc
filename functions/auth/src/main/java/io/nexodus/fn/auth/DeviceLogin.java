package io.nexodus.fn.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.shared.identity.ProviderDiscovery;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where nexd and nexctl log in (Nexodus's pkg/oidcagent/handlers.go, DeviceStart; nexd's cmd/nexd/main.go): the
 * provider's issuer and device authorization endpoint, the public CLI client's id, and the server's clock so the
 * agent can estimate its skew. The agent then runs the device flow (or, in development, the password grant) against
 * the provider itself; no token passes through here.
 */
@ApplicationScoped
public class DeviceLogin {

    /** {@code DeviceStartResponse}. */
    public record DeviceStart(
            @JsonProperty("device_authorization_endpoint") String deviceAuthorizationEndpoint,
            @JsonProperty("issuer") String issuer,
            @JsonProperty("client_id") String clientId,
            @JsonProperty("server_time") Instant serverTime) {
    }

    /**
     * {@code /device/certs}: the keys of tokens this service mints. It mints none: registration keys and
     * device tokens are opaque and checked in the database on every request (shared/identity), where
     * Nexodus converted them into JWTs of its own in its proxy. So the set is empty.
     */
    public record KeySet(@JsonProperty("keys") List<Map<String, Object>> keys) {
    }

    @Inject
    ProviderDiscovery discovery;

    @ConfigProperty(name = "nexodus.auth.cli-client-id")
    String cliClientId;

    @Funq("device-login-start")
    @CloudEventMapping(trigger = "io.nexodus.device.login.start", responseType = "io.nexodus.device.login.started")
    public Uni<DeviceStart> start(NoInput ignored) {
        return discovery.document().map(document -> new DeviceStart(
                document.path("device_authorization_endpoint").asText(null), document.path("issuer").asText(null),
                cliClientId, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    }

    @Funq("device-certs")
    @CloudEventMapping(trigger = "io.nexodus.device.certs.get", responseType = "io.nexodus.device.certs.fetched")
    public KeySet certs(NoInput ignored) {
        return new KeySet(List.of());
    }
}
