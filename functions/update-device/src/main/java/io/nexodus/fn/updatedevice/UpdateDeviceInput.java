package io.nexodus.fn.updatedevice;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.shared.model.Endpoint;
import java.util.List;

/**
 * Nexodus {@code UpdateDevice} (its internal/models/device.go) and the device's id. Every member is optional; an empty
 * {@code hostname} or {@code endpoints} means "no change"; {@code revision} is accepted and ignored.
 */
@io.nexodus.shared.http.WritesResource(io.nexodus.shared.model.Device.class)
public record UpdateDeviceInput(
        @JsonProperty("id") String id,
        @JsonProperty("vpc_id") String vpcId,
        @JsonProperty("advertise_cidrs") List<String> advertiseCidrs,
        @JsonProperty("symmetric_nat") Boolean symmetricNat,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("endpoints") List<Endpoint> endpoints,
        @JsonProperty("revision") Long revision,
        @JsonProperty("relay") Boolean relay,
        @JsonProperty("security_group_id") String securityGroupId) {

    UpdateDeviceInput withId(String newId) {
        return new UpdateDeviceInput(newId, vpcId, advertiseCidrs, symmetricNat, hostname, endpoints, revision, relay,
                securityGroupId);
    }
}
