package io.nexodus.fn.users;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.users.Inputs.UserMembershipRef;
import io.nexodus.fn.users.Inputs.UserRef;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.Membership;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.model.User;
import io.nexodus.shared.store.ListParams;
import io.nexodus.shared.store.ListQuery;
import io.nexodus.shared.store.Page;
import io.nexodus.shared.store.Rows;
import io.nexodus.shared.tenancy.OrganizationCascade;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code users} function: the caller's own profile, deleting it, and leaving organizations
 * (Nexodus's internal/handlers/user.go). A user only ever sees and changes itself; another user's id is a 404.
 */
@OncePerEvent
@ApplicationScoped
public class Users {

    private static final Map<String, String> COLUMNS = Map.of(
            "id", "u.id", "user_name", "u.user_name", "username", "u.user_name", "full_name", "u.full_name");

    @Inject
    Outbox outbox;

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Inject
    OrganizationCascade cascade;

    @Funq("list-users")
    @RequiresScope("read:users")
    @CloudEventMapping(trigger = "io.nexodus.users.list", responseType = "io.nexodus.users.listed")
    public Uni<List<User>> list(ListParams params) {
        return page(params).map(Page::items);
    }

    Uni<Page<User>> page(ListParams params) {
        return ListQuery.of(params, COLUMNS, "user_name").run(db, User.columns("u"),
                "FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL", List.of(caller.get().userId()), User::from);
    }

    @Funq("get-user")
    @RequiresScope("read:users")
    @CloudEventMapping(trigger = "io.nexodus.user.get", responseType = "io.nexodus.user.fetched")
    public Uni<User> get(UserRef ref) {
        UUID id = self(ref == null ? null : ref.id());
        return load(db, id);
    }

    /**
     * Deletes the caller (behaviour of Nexodus's DeleteUser): refused while they own devices; their
     * registration keys and invitations go; every organization they solely own is deleted, other
     * memberships are left; identities go so the subject can sign up afresh.
     */
    @Funq("delete-user")
    @RequiresScope("write:users")
    @CloudEventMapping(trigger = "io.nexodus.user.delete", responseType = "io.nexodus.user.deleted")
    public Uni<User> delete(UserRef ref) {
        UUID id = self(ref == null ? null : ref.id());
        return db.withTransaction(conn -> conn.preparedQuery("SELECT " + User.columns("u") + ", EXISTS (SELECT 1"
                                + " FROM devices d WHERE d.owner_id = u.id AND d.deleted_at IS NULL) AS has_devices"
                                + " FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL FOR UPDATE")
                .execute(Tuple.of(id))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        throw ApiErrors.notFound("user");
                    }
                    Row row = rows.iterator().next();
                    if (row.getBoolean("has_devices")) {
                        throw ApiErrors.notAllowed("user cannot be deleted while they still own devices");
                    }
                    return leaveEverything(conn, id).replaceWith(User.from(row));
                })
                .call(user -> conn.preparedQuery("UPDATE reg_keys SET deleted_at = now() WHERE owner_id = $1"
                        + " AND deleted_at IS NULL").execute(Tuple.of(id)))
                .call(user -> conn.preparedQuery("UPDATE invitations SET deleted_at = now() WHERE (user_id = $1"
                        + " OR from_id = $1) AND deleted_at IS NULL").execute(Tuple.of(id)))
                .call(user -> conn.preparedQuery("DELETE FROM user_identities WHERE user_id = $1").execute(Tuple.of(id)))
                .call(user -> conn.preparedQuery("UPDATE users SET deleted_at = now() WHERE id = $1").execute(Tuple.of(id)))
                .call(user -> outbox.record(conn, "users", new Change(EventType.USER_DELETED, id, null, user))));
    }

    /** Sole-owned organizations are deleted; in shared ones only the membership goes. */
    private Uni<Void> leaveEverything(SqlConnection conn, UUID userId) {
        return conn.preparedQuery("SELECT uo.organization_id, 'owner' = ANY (uo.roles) AND (SELECT count(*)"
                        + " FROM user_organizations o WHERE o.organization_id = uo.organization_id"
                        + " AND 'owner' = ANY (o.roles)) = 1 AS sole_owner FROM user_organizations uo WHERE uo.user_id = $1")
                .execute(Tuple.of(userId))
                .flatMap(rows -> {
                    List<Row> memberships = new ArrayList<>();
                    rows.forEach(memberships::add);
                    // one after another: a connection runs one statement at a time
                    return Multi.createFrom().iterable(memberships)
                            .onItem().transformToUniAndConcatenate(m -> m.getBoolean("sole_owner")
                                    ? cascade.deleteOrganization(conn, m.getUUID("organization_id"))
                                    : conn.preparedQuery("DELETE FROM user_organizations WHERE user_id = $1"
                                            + " AND organization_id = $2")
                                            .execute(Tuple.of(userId, m.getUUID("organization_id"))).replaceWithVoid())
                            .collect().last().replaceWithVoid();
                });
    }

    /**
     * Removes a user from an organization. Nexodus let any caller remove anyone; here a user may leave
     * (id = self) or an owner may remove a member, and the last owner cannot leave.
     */
    @Funq("delete-user-from-organization")
    @RequiresScope("write:users")
    @CloudEventMapping(trigger = "io.nexodus.user.organization.delete",
            responseType = "io.nexodus.organization.member.left")
    public Uni<User> leave(UserMembershipRef ref) {
        Caller me = caller.get();
        UUID userId = "me".equals(ref == null ? null : ref.id()) ? me.userId() : Ids.pathUuid(ref == null ? null : ref.id(), "id");
        UUID organizationId = Ids.pathUuid(ref.organization(), "organization");
        return db.withTransaction(conn -> {
            Uni<Void> allowed = userId.equals(me.userId())
                    ? access.requireMember(conn, me, organizationId, "organization").replaceWithVoid()
                    : access.requireOwner(conn, me, organizationId, "organization");
            return allowed.flatMap(ok -> load(conn, userId))
                    .call(user -> cascade.removeMember(conn, organizationId, userId))
                    .call(user -> outbox.record(conn, "users", new Change(EventType.ORGANIZATION_MEMBER_REMOVED,
                            organizationId, organizationId, new Membership(organizationId, userId))));
        });
    }

    /** Only the caller itself is visible: {@code me} or its own id; anything else is not found. */
    private UUID self(String id) {
        UUID me = caller.get().userId();
        if ("me".equals(id)) {
            return me;
        }
        if (!Ids.pathUuid(id, "id").equals(me)) {
            throw ApiErrors.notFound("user");
        }
        return me;
    }

    private static Uni<User> load(SqlClient db, UUID id) {
        return db.preparedQuery("SELECT " + User.columns("u") + " FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL")
                .execute(Tuple.of(id))
                .map(Rows.one("user", User::from));
    }
}
