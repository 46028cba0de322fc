package io.nexodus.shared.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.mutiny.sqlclient.Row;
import java.util.List;
import java.util.UUID;

/** Nexodus {@code UserOrganization} JSON: a membership, with the member embedded (its internal/models/user_organization.go). */
public record UserOrganization(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("organization_id") UUID organizationId,
        @JsonProperty("user") @JsonInclude(JsonInclude.Include.NON_NULL) User user,
        @JsonProperty("roles") List<String> roles) {

    /** Columns for {@link #from(Row)}: membership {@code uo} joined to users {@code u}. */
    public static final String COLUMNS = "uo.user_id, uo.organization_id, uo.roles, " + User.columns("u");

    public static UserOrganization from(Row row) {
        return new UserOrganization(row.getUUID("user_id"), row.getUUID("organization_id"), User.from(row),
                List.of(row.getArrayOfStrings("roles")));
    }
}
