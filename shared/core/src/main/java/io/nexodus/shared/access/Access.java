package io.nexodus.shared.access;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.UUID;

/**
 * The one place that decides whether a caller may act on an organization's resources, by membership
 * and role (Nexodus's IsMemberOfOrg and IsOwnerOfOrg, internal/handlers/user_organization.go). Every function calls
 * it; none re-implements it.
 *
 * <p>Semantics across tenants: a caller who is not a member of the organization gets 404 for the
 * resource (its existence is not revealed); a member whose role is too weak gets 403.
 *
 * <p>Checks take the {@link SqlClient} of the operation so that, inside a transaction, the membership
 * row is read (and share-locked) in the same snapshot as the write it guards.
 */
@ApplicationScoped
public class Access {

    /** @return the caller's roles in a live organization; empty when not a member. */
    public Uni<List<String>> roles(SqlClient db, UUID userId, UUID organizationId, boolean lock) {
        return db.preparedQuery("SELECT uo.roles FROM user_organizations uo"
                        + " JOIN organizations o ON o.id = uo.organization_id AND o.deleted_at IS NULL"
                        + " WHERE uo.user_id = $1 AND uo.organization_id = $2" + (lock ? " FOR SHARE OF uo" : ""))
                .execute(Tuple.of(userId, organizationId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return List.<String>of();
                    }
                    Row row = rows.iterator().next();
                    return Arrays.asList(row.getArrayOfStrings("roles"));
                });
    }

    /** Any role (owner or member) in the organization, else 404 naming {@code resource}. */
    public Uni<List<String>> requireMember(SqlClient db, Caller caller, UUID organizationId, String resource) {
        return roles(db, caller.userId(), organizationId, false).map(roles -> {
            if (roles.isEmpty()) {
                throw ApiErrors.notFound(resource);
            }
            return roles;
        });
    }

    /** The owner role: 404 for a non-member, 403 for a member who is not an owner. */
    public Uni<Void> requireOwner(SqlClient db, Caller caller, UUID organizationId, String resource) {
        return roles(db, caller.userId(), organizationId, true).map(roles -> {
            if (roles.isEmpty()) {
                throw ApiErrors.notFound(resource);
            }
            if (!roles.contains(Role.OWNER.value())) {
                throw ApiErrors.forbidden("only an owner of the organization may do this");
            }
            return null;
        });
    }

    /**
     * A live VPC the caller can read (member or owner of its organization), else 404 naming
     * {@code resource}. A registration key or device token only sees the VPC it is bound to.
     *
     * @return the VPC's organization id
     */
    public Uni<UUID> requireVpcMember(SqlClient db, Caller caller, UUID vpcId, String resource) {
        if (caller.vpcId() != null && !caller.vpcId().equals(vpcId)) {
            return Uni.createFrom().failure(ApiErrors.notFound(resource));
        }
        return db.preparedQuery("SELECT v.organization_id FROM vpcs v JOIN user_organizations uo"
                        + " ON uo.organization_id = v.organization_id AND uo.user_id = $2"
                        + " WHERE v.id = $1 AND v.deleted_at IS NULL")
                .execute(Tuple.of(vpcId, caller.userId()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiErrors.notFound(resource);
                    }
                    return rows.iterator().next().getUUID(0);
                });
    }

    /** A live security group of the given organization, else 404 naming {@code field}. */
    public Uni<Void> requireSecurityGroupIn(SqlClient db, UUID securityGroupId, UUID organizationId, String field) {
        return db.preparedQuery("SELECT 1 FROM security_groups WHERE id = $1 AND organization_id = $2"
                        + " AND deleted_at IS NULL")
                .execute(Tuple.of(securityGroupId, organizationId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiErrors.notFound(field);
                    }
                    return null;
                });
    }

    /** A user and a VPC: may this user read this VPC. */
    public record UserVpc(UUID userId, UUID vpcId) {
    }

    /**
     * {@link #requireVpcMember}'s membership rule for many pairs in one query (the re-check of a replica's open watch
     * streams). The binding of a key or device token to its own VPC is the caller's and does not change; this is
     * what can: the VPC deleted, the user no longer in its organization.
     *
     * @return the pairs among {@code pairs} whose user may still read the VPC
     */
    public Uni<Set<UserVpc>> members(SqlClient db, Collection<UserVpc> pairs) {
        if (pairs.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        List<UserVpc> distinct = pairs.stream().distinct().toList();
        return db.preparedQuery("SELECT uo.user_id, v.id FROM vpcs v JOIN user_organizations uo ON uo.organization_id = v.organization_id"
                        + " JOIN unnest($1::uuid[], $2::uuid[]) AS p(user_id, vpc_id) ON p.vpc_id = v.id AND p.user_id = uo.user_id"
                        + " WHERE v.deleted_at IS NULL")
                .execute(Tuple.of(distinct.stream().map(UserVpc::userId).toArray(UUID[]::new),
                        distinct.stream().map(UserVpc::vpcId).toArray(UUID[]::new)))
                .map(rows -> {
                    Set<UserVpc> members = new HashSet<>();
                    rows.forEach(row -> members.add(new UserVpc(row.getUUID(0), row.getUUID(1))));
                    return members;
                });
    }
}
