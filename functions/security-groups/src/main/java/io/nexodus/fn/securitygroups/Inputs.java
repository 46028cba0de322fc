package io.nexodus.fn.securitygroups;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The inputs of the security-group operations, as JSON (Funqy HTTP body, CloudEvent data, REST body or path). */
final class Inputs {

    private Inputs() {
    }

    /** {@code AddSecurityGroup} (Nexodus's internal/models/security_group.go). */
    @io.nexodus.shared.http.WritesResource(SecurityGroup.class)
    record AddSecurityGroup(@JsonProperty("description") String description, @JsonProperty("vpc_id") String vpcId,
            @JsonProperty("inbound_rules") List<SecurityRule> inboundRules,
            @JsonProperty("outbound_rules") List<SecurityRule> outboundRules) {
    }

    /** {@code UpdateSecurityGroup} plus the group's id; an absent (null) member is left as it is. */
    @io.nexodus.shared.http.WritesResource(SecurityGroup.class)
    record UpdateSecurityGroup(@JsonProperty("id") String id, @JsonProperty("description") String description,
            @JsonProperty("inbound_rules") List<SecurityRule> inboundRules,
            @JsonProperty("outbound_rules") List<SecurityRule> outboundRules) {
    }

    /** One security group by id. */
    record SecurityGroupRef(@JsonProperty("id") String id) {
    }

    /** The security groups of one VPC, with the usual list parameters. */
    record ListVpcSecurityGroups(@JsonProperty("id") String id, @JsonProperty("sort") String sort,
            @JsonProperty("filter") String filter, @JsonProperty("range") String range) {
    }
}
