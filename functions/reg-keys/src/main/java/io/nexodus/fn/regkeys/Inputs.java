package io.nexodus.fn.regkeys;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.Map;

/** The inputs of the registration-key operations (api.md §11). */
final class Inputs {

    private Inputs() {
    }

    /** {@code AddRegKey}. Service networks are not rebuilt, so {@code vpc_id} is required. */
    record AddRegKey(@JsonProperty("vpc_id") String vpcId, @JsonProperty("description") String description,
            @JsonProperty("single_use") Boolean singleUse, @JsonProperty("expires_at") OffsetDateTime expiresAt,
            @JsonProperty("security_group_id") String securityGroupId,
            @JsonProperty("settings") Map<String, Object> settings) {
    }

    /** {@code UpdateRegKey} plus the key's id; absent (null) members are left as they are. */
    record UpdateRegKey(@JsonProperty("id") String id, @JsonProperty("description") String description,
            @JsonProperty("expires_at") OffsetDateTime expiresAt,
            @JsonProperty("security_group_id") String securityGroupId,
            @JsonProperty("settings") Map<String, Object> settings) {
    }

    /** One key by id; {@code me} names the key a registration-key caller presented. */
    record RegKeyRef(@JsonProperty("id") String id) {
    }
}
