package io.nexodus.fn.organizations;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.organizations.Inputs.AddOrganization;
import io.nexodus.fn.organizations.Inputs.ListMembers;
import io.nexodus.fn.organizations.Inputs.MemberRef;
import io.nexodus.fn.organizations.Inputs.OrganizationRef;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.flags.FeatureFlags;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.Membership;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.http.Descriptions;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.model.Organization;
import io.nexodus.shared.model.UserOrganization;
import io.nexodus.shared.store.ListParams;
import io.nexodus.shared.store.ListQuery;
import io.nexodus.shared.store.Page;
import io.nexodus.shared.store.Rows;
import io.nexodus.shared.tenancy.OrganizationCascade;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code organizations} function: a user's organizations and their members (Nexodus's
 * internal/handlers/organization.go). Each operation is a Funqy function ({@code POST /<name>}, or a CloudEvent of
 * the mapped type) and is also reached through the Nexodus REST routes in {@link OrganizationsRoute}.
 */
@OncePerEvent
@ApplicationScoped
public class Organizations {

    static final int MAX_NAME = 255;

    private static final Map<String, String> ORG_COLUMNS = Map.of(
            "id", "o.id", "name", "o.name", "description", "o.description");
    private static final Map<String, String> MEMBER_COLUMNS = Map.of(
            "user_id", "uo.user_id", "organization_id", "uo.organization_id",
            "full_name", "u.full_name", "user_name", "u.user_name", "username", "u.user_name");

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Inject
    OrganizationCascade cascade;

    @Inject
    Outbox outbox;

    @Inject
    FeatureFlags flags;

    @Funq("list-organizations")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.organizations.list", responseType = "io.nexodus.organizations.listed")
    public Uni<List<Organization>> list(ListParams params) {
        return page(params).map(Page::items);
    }

    /** Organizations where the caller is owner or member; filter key {@code roles} narrows by the caller's role. */
    Uni<Page<Organization>> page(ListParams params) {
        Caller me = caller.get();
        ListQuery query = ListQuery.of(params, ORG_COLUMNS, "name");
        List<Object> args = new ArrayList<>(List.of(me.userId()));
        String from = "FROM organizations o JOIN user_organizations uo ON uo.organization_id = o.id AND uo.user_id = $1"
                + " WHERE o.deleted_at IS NULL";
        Object roles = query.takeFilter("roles");
        if (roles instanceof JsonArray wanted) {
            args.add(wanted.stream().map(String::valueOf).toArray(String[]::new));
            from += " AND uo.roles && $2::text[]";
        } else if (roles != null) {
            throw ApiErrors.invalidField("filter", "roles must be a JSON array of role names");
        }
        return query.run(db, Organization.COLUMNS, from, args, Organization::from);
    }

    @Funq("create-organization")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.organization.create", responseType = "io.nexodus.organization.created")
    public Uni<Organization> create(AddOrganization input) {
        flags.require(FeatureFlags.MULTI_ORGANIZATION);
        Caller me = caller.get();
        if (input == null || input.name() == null || input.name().isBlank()) {
            throw ApiErrors.fieldNotPresent("name");
        }
        String name = input.name().trim();
        if (name.length() > MAX_NAME) {
            throw ApiErrors.invalidField("name", "longer than " + MAX_NAME + " characters");
        }
        String description = Descriptions.of(input.description());
        UUID id = UUID.randomUUID();
        return db.withTransaction(conn -> conn.preparedQuery("INSERT INTO organizations (id, name, description)"
                        + " VALUES ($1, $2, $3) ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING")
                .execute(Tuple.of(id, name, description))
                .flatMap(inserted -> {
                    if (inserted.rowCount() == 0) {
                        // the existing organization's id only to a member: to anyone else it would name another
                        // tenant's organization (a personal one's id is its user's id)
                        return conn.preparedQuery("SELECT o.id FROM organizations o JOIN user_organizations m"
                                        + " ON m.organization_id = o.id AND m.user_id = $2"
                                        + " WHERE o.name = $1 AND o.deleted_at IS NULL")
                                .execute(Tuple.of(name, me.userId()))
                                .map(rows -> {
                                    throw ApiErrors.conflict(rows.size() > 0 ? rows.iterator().next().getUUID(0) : null);
                                });
                    }
                    return conn.preparedQuery("INSERT INTO user_organizations (user_id, organization_id, roles)"
                            + " VALUES ($1, $2, ARRAY['owner'])").execute(Tuple.of(me.userId(), id));
                })
                .replaceWith(new Organization(id, name, description))
                .call(org -> outbox.record(conn, "organizations",
                        new Change(EventType.ORGANIZATION_CREATED, id, id, org))));
    }

    @Funq("get-organization")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.organization.get", responseType = "io.nexodus.organization.fetched")
    public Uni<Organization> get(OrganizationRef ref) {
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        return access.requireMember(db, caller.get(), id, "organization").flatMap(roles -> load(db, id));
    }

    @Funq("delete-organization")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.organization.delete", responseType = "io.nexodus.organization.deleted")
    public Uni<Organization> delete(OrganizationRef ref) {
        flags.require(FeatureFlags.MULTI_ORGANIZATION);
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        Caller me = caller.get();
        return db.withTransaction(conn -> access.requireOwner(conn, me, id, "organization")
                .flatMap(ok -> conn.preparedQuery("SELECT 1 FROM users WHERE id = $1").execute(Tuple.of(id)))
                .flatMap(personal -> {
                    if (personal.size() > 0) {
                        throw ApiErrors.notAllowed("default organization cannot be deleted");
                    }
                    return load(conn, id);
                })
                .call(org -> cascade.deleteOrganization(conn, id))
                .call(org -> outbox.record(conn, "organizations",
                        new Change(EventType.ORGANIZATION_DELETED, id, id, org))));
    }

    @Funq("list-organization-users")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.organization.users.list",
            responseType = "io.nexodus.organization.users.listed")
    public Uni<List<UserOrganization>> listMembers(ListMembers input) {
        return membersPage(input).map(Page::items);
    }

    Uni<Page<UserOrganization>> membersPage(ListMembers input) {
        UUID id = Ids.pathUuid(input == null ? null : input.id(), "id");
        ListQuery query = ListQuery.of(new ListParams(input.sort(), input.filter(), input.range()), MEMBER_COLUMNS,
                "full_name");
        return access.requireMember(db, caller.get(), id, "organization")
                .flatMap(roles -> query.run(db, UserOrganization.COLUMNS,
                        "FROM user_organizations uo JOIN users u ON u.id = uo.user_id"
                                + " WHERE uo.organization_id = $1 AND u.deleted_at IS NULL",
                        List.of(id), UserOrganization::from));
    }

    @Funq("get-organization-user")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.organization.user.get",
            responseType = "io.nexodus.organization.user.fetched")
    public Uni<UserOrganization> getMember(MemberRef ref) {
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        UUID uid = Ids.pathUuid(ref.uid(), "uid");
        return access.requireMember(db, caller.get(), id, "organization").flatMap(roles -> member(db, id, uid));
    }

    @Funq("delete-organization-user")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.organization.user.delete",
            responseType = "io.nexodus.organization.member.removed")
    public Uni<UserOrganization> removeMember(MemberRef ref) {
        flags.require(FeatureFlags.MULTI_ORGANIZATION);
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        UUID uid = Ids.pathUuid(ref.uid(), "uid");
        Caller me = caller.get();
        if (uid.equals(me.userId())) {
            throw ApiErrors.notAllowed("cannot delete self from the organization; use DELETE /api/users/me/organizations/{id}");
        }
        return db.withTransaction(conn -> access.requireOwner(conn, me, id, "organization")
                .flatMap(ok -> member(conn, id, uid))
                .call(membership -> cascade.removeMember(conn, id, uid))
                .call(membership -> outbox.record(conn, "organizations",
                        new Change(EventType.ORGANIZATION_MEMBER_REMOVED, id, id, new Membership(id, uid)))));
    }

    private static Uni<Organization> load(SqlClient db, UUID id) {
        return db.preparedQuery("SELECT " + Organization.COLUMNS + " FROM organizations o WHERE o.id = $1"
                        + " AND o.deleted_at IS NULL")
                .execute(Tuple.of(id))
                .map(Rows.one("organization", Organization::from));
    }

    private static Uni<UserOrganization> member(SqlClient db, UUID organizationId, UUID userId) {
        return db.preparedQuery("SELECT " + UserOrganization.COLUMNS + " FROM user_organizations uo"
                        + " JOIN users u ON u.id = uo.user_id WHERE uo.organization_id = $1 AND uo.user_id = $2"
                        + " AND u.deleted_at IS NULL")
                .execute(Tuple.of(organizationId, userId))
                .map(Rows.one("user", UserOrganization::from));
    }
}
