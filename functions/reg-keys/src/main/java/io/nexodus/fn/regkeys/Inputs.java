package io.nexodus.fn.regkeys;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.Map;

/** The inputs of the registration-key operations (Nexodus's internal/models/reg_key.go). */
final class Inputs {

    private Inputs() {
    }

    /**
     * {@code AddRegKey}. Service networks are not rebuilt, so {@code vpc_id} is required. Additions (absent:
     * as in Nexodus): {@code usage_limit} (registrations it may make), {@code ephemeral} (its devices are
     * removed when inactive), {@code device_token_ttl} (a Go duration: its devices' tokens expire after it).
     */
    @io.nexodus.shared.http.WritesResource(RegKey.class)
    record AddRegKey(@JsonProperty("vpc_id") String vpcId, @JsonProperty("description") String description,
            @JsonProperty("single_use") Boolean singleUse,
            @JsonProperty("expires_at") @JsonAlias("expiration") OffsetDateTime expiresAt,
            @JsonProperty("security_group_id") String securityGroupId,
            @JsonProperty("settings") Map<String, Object> settings,
            @JsonProperty("usage_limit") Integer usageLimit, @JsonProperty("ephemeral") Boolean ephemeral,
            @JsonProperty("device_token_ttl") String deviceTokenTtl) {
    }

    /**
     * ({@code expiration}: the name Nexodus's web console sends the expiry under, which Nexodus ignored, so an
     * expiry set in the console never applied; here it is {@code expires_at}'s other name.)
     * {@code UpdateRegKey} plus the key's id; absent (null) members are left as they are. Addition:
     * {@code revoked: true} revokes the key for good (it stays, for the audit trail).
     */
    @io.nexodus.shared.http.WritesResource(RegKey.class)
    record UpdateRegKey(@JsonProperty("id") String id, @JsonProperty("description") String description,
            @JsonProperty("expires_at") @JsonAlias("expiration") OffsetDateTime expiresAt,
            @JsonProperty("security_group_id") String securityGroupId,
            @JsonProperty("settings") Map<String, Object> settings, @JsonProperty("revoked") Boolean revoked) {
    }

    /** One key by id; {@code me} names the key a registration-key caller presented. */
    record RegKeyRef(@JsonProperty("id") String id) {
    }
}
