package io.nexodus.shared.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Nexodus {@code Device} JSON (its internal/models/device.go). {@code bearer_token} is sealed, and only for who may
 * see it. Additions (docs/compatibility.md): {@code ephemeral}, and {@code token_expires_at} when the device token
 * expires.
 */
public record Device(
        @JsonProperty("id") UUID id,
        @JsonProperty("owner_id") UUID ownerId,
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonProperty("public_key") String publicKey,
        @JsonProperty("allowed_ips") List<String> allowedIps,
        @JsonProperty("ipv4_tunnel_ips") List<TunnelIp> ipv4TunnelIps,
        @JsonProperty("ipv6_tunnel_ips") List<TunnelIp> ipv6TunnelIps,
        @JsonProperty("advertise_cidrs") List<String> advertiseCidrs,
        @JsonProperty("relay") boolean relay,
        @JsonProperty("symmetric_nat") boolean symmetricNat,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("os") String os,
        @JsonProperty("endpoints") List<Endpoint> endpoints,
        @JsonProperty("revision") long revision,
        @JsonProperty("security_group_id") UUID securityGroupId,
        @JsonProperty("online") boolean online,
        @JsonProperty("online_at") OffsetDateTime onlineAt,
        @JsonProperty("bearer_token") @JsonInclude(JsonInclude.Include.NON_EMPTY) String bearerToken,
        @JsonProperty("ephemeral") boolean ephemeral,
        @JsonProperty("token_expires_at") @JsonInclude(JsonInclude.Include.NON_NULL) OffsetDateTime tokenExpiresAt) {

    public Device withBearerToken(String token) {
        return new Device(id, ownerId, vpcId, publicKey, allowedIps, ipv4TunnelIps, ipv6TunnelIps, advertiseCidrs,
                relay, symmetricNat, hostname, os, endpoints, revision, securityGroupId, online, onlineAt, token, ephemeral,
                tokenExpiresAt);
    }
}
