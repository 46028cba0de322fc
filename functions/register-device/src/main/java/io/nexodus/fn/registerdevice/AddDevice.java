package io.nexodus.fn.registerdevice;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.shared.model.Endpoint;
import io.nexodus.shared.model.TunnelIp;
import java.util.List;

/** Nexodus {@code AddDevice} (its internal/models/device.go). */
@io.nexodus.shared.http.WritesResource(io.nexodus.shared.model.Device.class)
public record AddDevice(
        @JsonProperty("vpc_id") String vpcId,
        @JsonProperty("public_key") String publicKey,
        @JsonProperty("advertise_cidrs") List<String> advertiseCidrs,
        @JsonProperty("ipv4_tunnel_ips") List<TunnelIp> ipv4TunnelIps,
        @JsonProperty("relay") Boolean relay,
        @JsonProperty("symmetric_nat") Boolean symmetricNat,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("endpoints") List<Endpoint> endpoints,
        @JsonProperty("os") String os,
        @JsonProperty("security_group_id") String securityGroupId) {
}
