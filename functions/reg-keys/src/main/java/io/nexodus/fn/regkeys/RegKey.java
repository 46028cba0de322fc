package io.nexodus.fn.regkeys;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * Nexodus {@code RegKey} JSON (api.md §11). {@code bearer_token} is only ever present in the answer to
 * create: the database keeps a hash, so the key is shown once.
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
        @JsonProperty("settings") @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, Object> settings) {

    static final String COLUMNS = "k.id, k.owner_id, k.vpc_id, k.description, k.device_id, k.expires_at,"
            + " k.security_group_id, k.settings";

    static RegKey from(Row row) {
        Object settings = row.getValue("settings");
        return new RegKey(row.getUUID("id"), row.getUUID("owner_id"), row.getUUID("vpc_id"), null,
                row.getString("description"), row.getUUID("device_id"), row.getOffsetDateTime("expires_at"),
                row.getUUID("security_group_id"), settings instanceof JsonObject json ? json.getMap() : null);
    }

    RegKey withBearerToken(String token) {
        return new RegKey(id, ownerId, vpcId, token, description, deviceId, expiresAt, securityGroupId, settings);
    }
}
