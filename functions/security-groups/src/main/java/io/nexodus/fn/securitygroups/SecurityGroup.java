package io.nexodus.fn.securitygroups;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.mutiny.sqlclient.Row;
import java.util.List;
import java.util.UUID;

/**
 * Nexodus {@code SecurityGroup} JSON (its internal/models/security_group.go); rule lists are omitted when empty. The
 * organization is kept for authorization and not serialized, as in Nexodus.
 */
public record SecurityGroup(
        @JsonProperty("id") UUID id,
        @JsonProperty("description") String description,
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonIgnore UUID organizationId,
        @JsonProperty("inbound_rules") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SecurityRule> inboundRules,
        @JsonProperty("outbound_rules") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<SecurityRule> outboundRules,
        @JsonProperty("revision") long revision) {

    static final String COLUMNS = "sg.id, sg.description, sg.vpc_id, sg.organization_id, sg.inbound_rules,"
            + " sg.outbound_rules, sg.revision";

    static SecurityGroup from(Row row) {
        return new SecurityGroup(row.getUUID("id"), row.getString("description"), row.getUUID("vpc_id"),
                row.getUUID("organization_id"), SecurityRule.fromJson(row.getValue("inbound_rules")),
                SecurityRule.fromJson(row.getValue("outbound_rules")), row.getInteger("revision"));
    }

    /** The VPC's default group has the VPC's id; it lives as long as the VPC. */
    boolean isDefault() {
        return id.equals(vpcId);
    }
}
