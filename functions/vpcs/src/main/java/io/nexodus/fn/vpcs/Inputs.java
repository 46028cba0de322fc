package io.nexodus.fn.vpcs;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The inputs of the VPC operations (Nexodus's internal/models/vpc.go). */
final class Inputs {

    private Inputs() {
    }

    /** {@code AddVPC}. */
    @io.nexodus.shared.http.WritesResource(io.nexodus.shared.model.Vpc.class)
    record AddVpc(@JsonProperty("organization_id") String organizationId,
            @JsonProperty("description") String description, @JsonProperty("private_cidr") Boolean privateCidr,
            @JsonProperty("ipv4_cidr") String ipv4Cidr, @JsonProperty("ipv6_cidr") String ipv6Cidr) {
    }

    /** {@code UpdateVPC} and the VPC's id. */
    @io.nexodus.shared.http.WritesResource(io.nexodus.shared.model.Vpc.class)
    record UpdateVpc(@JsonProperty("id") String id, @JsonProperty("description") String description) {
    }

    record VpcRef(@JsonProperty("id") String id) {
    }
}
