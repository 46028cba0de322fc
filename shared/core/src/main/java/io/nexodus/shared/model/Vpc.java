package io.nexodus.shared.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.mutiny.sqlclient.Row;
import java.util.UUID;

/** Nexodus {@code VPC} JSON (its internal/models/vpc.go). */
public record Vpc(
        @JsonProperty("id") UUID id,
        @JsonProperty("organization_id") UUID organizationId,
        @JsonProperty("description") String description,
        @JsonProperty("private_cidr") boolean privateCidr,
        @JsonProperty("ipv4_cidr") String ipv4Cidr,
        @JsonProperty("ipv6_cidr") String ipv6Cidr,
        @JsonProperty("revision") long revision) {

    public static final String COLUMNS = "v.id, v.organization_id, v.description, v.private_cidr, v.ipv4_cidr,"
            + " v.ipv6_cidr, v.revision";

    public static Vpc from(Row row) {
        return new Vpc(row.getUUID("id"), row.getUUID("organization_id"), row.getString("description"),
                row.getBoolean("private_cidr"), row.getString("ipv4_cidr"), row.getString("ipv6_cidr"),
                row.getInteger("revision"));
    }
}
