package io.nexodus.fn.regkeys;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.shared.http.GoDuration;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * Nexodus {@code RegKey} JSON (its internal/models/reg_key.go). {@code bearer_token} is only ever present in the
 * answer to create: the database keeps a hash, so the key is shown once. Additions (docs/compatibility.md):
 * {@code usage_limit} (when set), {@code uses}, {@code revoked} and {@code revoked_at}, {@code ephemeral},
 * {@code device_token_ttl} (when set, a Go duration).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegKey(
        @JsonProperty("id") UUID id,
        @JsonProperty("owner_id") UUID ownerId,
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonProperty("bearer_token") String bearerToken,
        @JsonProperty("description") String description,
        @JsonProperty("device_id") UUID deviceId,
        @JsonProperty("expires_at") OffsetDateTime expiresAt,
        @JsonProperty("security_group_id") @JsonInclude(JsonInclude.Include.ALWAYS) UUID securityGroupId,
        @JsonProperty("settings") @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, Object> settings,
        @JsonProperty("usage_limit") Integer usageLimit,
        @JsonProperty("uses") int uses,
        @JsonProperty("revoked") boolean revoked,
        @JsonProperty("revoked_at") OffsetDateTime revokedAt,
        @JsonProperty("ephemeral") boolean ephemeral,
        @JsonProperty("device_token_ttl") String deviceTokenTtl) {

    static final String COLUMNS = "k.id, k.owner_id, k.vpc_id, k.description, k.device_id, k.expires_at,"
            + " k.security_group_id, k.settings, k.usage_limit, k.uses, k.revoked_at, k.ephemeral,"
            + " k.device_token_ttl_seconds";

    static RegKey from(Row row) {
        Object settings = row.getValue("settings");
        return new RegKey(row.getUUID("id"), row.getUUID("owner_id"), row.getUUID("vpc_id"), null,
                row.getString("description"), row.getUUID("device_id"), row.getOffsetDateTime("expires_at"),
                row.getUUID("security_group_id"), settings instanceof JsonObject json ? json.getMap() : null,
                row.getInteger("usage_limit"), row.getInteger("uses"), row.getOffsetDateTime("revoked_at") != null,
                row.getOffsetDateTime("revoked_at"), row.getBoolean("ephemeral"),
                row.getLong("device_token_ttl_seconds") == null ? null
                        : GoDuration.format(Duration.ofSeconds(row.getLong("device_token_ttl_seconds"))));
    }

    RegKey withBearerToken(String token) {
        return new RegKey(id, ownerId, vpcId, token, description, deviceId, expiresAt, securityGroupId, settings,
                usageLimit, uses, revoked, revokedAt, ephemeral, deviceTokenTtl);
    }
}
