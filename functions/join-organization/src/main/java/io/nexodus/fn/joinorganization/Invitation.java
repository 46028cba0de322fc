package io.nexodus.fn.joinorganization;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.shared.model.Organization;
import io.nexodus.shared.model.User;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Nexodus {@code Invitation} JSON (its internal/models/invitation.go), with the inviting user ({@code from}) and the
 * organization embedded as Nexodus's list does.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Invitation(
        @JsonProperty("id") UUID id,
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("email") String email,
        @JsonProperty("organization_id") UUID organizationId,
        @JsonProperty("organization") Organization organization,
        @JsonProperty("expires_at") OffsetDateTime expiresAt,
        @JsonProperty("from") User from,
        @JsonProperty("roles") List<String> roles) {

    /** Invitation {@code i}, its live organization {@code o} and the inviter {@code f} (gone when deleted). */
    static final String FROM = "FROM invitations i JOIN organizations o ON o.id = i.organization_id"
            + " AND o.deleted_at IS NULL LEFT JOIN users f ON f.id = i.from_id AND f.deleted_at IS NULL";

    /** Columns for {@link #from(Row)}; the joined rows' columns are renamed apart from the invitation's. */
    static final String COLUMNS = "i.id, i.user_id, i.email, i.organization_id, i.expires_at, i.roles,"
            + " o.name AS organization_name, o.description AS organization_description,"
            + " f.id AS from_user_id, f.full_name AS from_full_name, f.picture AS from_picture,"
            + " f.user_name AS from_user_name";

    static Invitation from(Row row) {
        UUID fromId = row.getUUID("from_user_id");
        User from = fromId == null ? null : new User(fromId, row.getString("from_full_name"),
                row.getString("from_picture"), row.getString("from_user_name"));
        UUID organizationId = row.getUUID("organization_id");
        return new Invitation(row.getUUID("id"), row.getUUID("user_id"), row.getString("email"), organizationId,
                new Organization(organizationId, row.getString("organization_name"),
                        row.getString("organization_description")),
                row.getOffsetDateTime("expires_at"), from, List.of(row.getArrayOfStrings("roles")));
    }
}
