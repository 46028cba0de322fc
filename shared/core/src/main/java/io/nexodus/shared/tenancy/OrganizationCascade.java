package io.nexodus.shared.tenancy;

import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * What leaving and deleting mean for the rows that hang off an organization. Shared by the
 * {@code organizations} function (delete an organization, remove a member) and the {@code users}
 * function (delete a user, leave an organization), so both cascade the same way. Callers run these
 * inside their transaction, after their own authorization check.
 *
 * <p>Devices are never deleted here: a device holds IPAM addresses that only the device functions
 * release, so an organization or membership with live devices is refused instead (Nexodus soft-deleted
 * the devices and leaked their addresses).
 */
@ApplicationScoped
public class OrganizationCascade {

    /** Soft-deletes the organization and what belongs to it; refused while devices are attached. */
    public Uni<Void> deleteOrganization(SqlConnection conn, UUID organizationId) {
        Tuple org = Tuple.of(organizationId);
        return conn.preparedQuery("SELECT 1 FROM devices WHERE organization_id = $1 AND deleted_at IS NULL LIMIT 1")
                .execute(org)
                .flatMap(rows -> {
                    if (rows.size() > 0) {
                        throw ApiErrors.notAllowed("organization cannot be deleted while devices are still attached");
                    }
                    return conn.preparedQuery("UPDATE reg_keys SET deleted_at = now() WHERE organization_id = $1"
                            + " AND deleted_at IS NULL").execute(org);
                })
                .flatMap(ignored -> conn.preparedQuery("UPDATE security_groups SET deleted_at = now()"
                        + " WHERE organization_id = $1 AND deleted_at IS NULL").execute(org))
                .flatMap(ignored -> conn.preparedQuery("UPDATE vpcs SET deleted_at = now()"
                        + " WHERE organization_id = $1 AND deleted_at IS NULL").execute(org))
                .flatMap(ignored -> conn.preparedQuery("UPDATE invitations SET deleted_at = now()"
                        + " WHERE organization_id = $1 AND deleted_at IS NULL").execute(org))
                .flatMap(ignored -> conn.preparedQuery("DELETE FROM user_organizations WHERE organization_id = $1")
                        .execute(org))
                .flatMap(ignored -> conn.preparedQuery("UPDATE organizations SET deleted_at = now()"
                        + " WHERE id = $1 AND deleted_at IS NULL").execute(org))
                .replaceWithVoid();
    }

    /**
     * Removes a user's membership and the registration keys they made for the organization. Refused
     * while they own devices in it, and when they are its last owner (the organization would be
     * orphaned; delete it instead).
     */
    public Uni<Void> removeMember(SqlConnection conn, UUID organizationId, UUID userId) {
        Tuple both = Tuple.of(organizationId, userId);
        return conn.preparedQuery("SELECT"
                        + " (SELECT roles FROM user_organizations WHERE organization_id = $1 AND user_id = $2 FOR UPDATE) AS roles,"
                        + " (SELECT count(*) FROM user_organizations WHERE organization_id = $1 AND 'owner' = ANY (roles)) AS owners,"
                        + " EXISTS (SELECT 1 FROM devices WHERE organization_id = $1 AND owner_id = $2 AND deleted_at IS NULL) AS has_devices")
                .execute(both)
                .flatMap(rows -> {
                    var row = rows.iterator().next();
                    String[] roles = row.getArrayOfStrings("roles");
                    if (roles == null) {
                        throw ApiErrors.notFound("user");
                    }
                    if (row.getBoolean("has_devices")) {
                        throw ApiErrors.notAllowed("user still owns devices in this organization");
                    }
                    if (java.util.Arrays.asList(roles).contains("owner") && row.getLong("owners") <= 1) {
                        throw ApiErrors.notAllowed("the last owner cannot leave the organization");
                    }
                    return conn.preparedQuery("UPDATE reg_keys SET deleted_at = now() WHERE organization_id = $1"
                            + " AND owner_id = $2 AND deleted_at IS NULL").execute(both);
                })
                .flatMap(ignored -> conn.preparedQuery("DELETE FROM user_organizations WHERE organization_id = $1"
                        + " AND user_id = $2").execute(both))
                .replaceWithVoid();
    }
}
