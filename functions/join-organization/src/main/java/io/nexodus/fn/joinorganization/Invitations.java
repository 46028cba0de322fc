package io.nexodus.fn.joinorganization;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.joinorganization.Inputs.AddInvitation;
import io.nexodus.fn.joinorganization.Inputs.InvitationRef;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.access.Role;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.model.UserOrganization;
import io.nexodus.shared.store.ListParams;
import io.nexodus.shared.store.ListQuery;
import io.nexodus.shared.store.Page;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code join-organization} function: invitations to an organization and accepting them
 * (Nexodus's internal/handlers/invitations.go). Owners invite; the invited user accepts or declines; the
 * organization's owners see and withdraw the invitations they sent. Anyone else gets 404.
 */
@OncePerEvent
@ApplicationScoped
public class Invitations {

    private static final Map<String, String> COLUMNS = Map.of("id", "i.id", "user_id", "i.user_id",
            "email", "i.email", "organization_id", "i.organization_id", "expires_at", "i.expires_at",
            "from_id", "i.from_id");

    /** The invitation is for the caller ($1): by id, or by one of their verified emails while unresolved. */
    private static final String ADDRESSED_TO_CALLER = "(coalesce(i.user_id = $1, false) OR (i.user_id IS NULL AND i.email IN"
            + " (SELECT e.value FROM user_identities e WHERE e.kind = 'email' AND e.user_id = $1)))";

    /** The caller ($1) owns the invitation's organization. */
    private static final String CALLER_OWNS_ORGANIZATION = "EXISTS (SELECT 1 FROM user_organizations uo"
            + " WHERE uo.organization_id = i.organization_id AND uo.user_id = $1 AND 'owner' = ANY (uo.roles))";

    @ConfigProperty(name = "nexodus.invitations.max-pending", defaultValue = "100")
    int maxPending;

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Inject
    Outbox outbox;

    /** The emitter named in its events' {@code source}. */
    private static final String FUNCTION = "join-organization";

    @Funq("list-invitations")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.invitations.list", responseType = "io.nexodus.invitations.listed")
    public Uni<List<Invitation>> list(ListParams params) {
        return page(params).map(Page::items);
    }

    /** Invitations addressed to the caller, and those of organizations the caller owns. */
    Uni<Page<Invitation>> page(ListParams params) {
        return ListQuery.of(params, COLUMNS, "id").run(db, Invitation.COLUMNS, Invitation.FROM
                        + " WHERE i.deleted_at IS NULL AND (" + ADDRESSED_TO_CALLER + " OR " + CALLER_OWNS_ORGANIZATION + ")",
                List.of(caller.get().userId()), Invitation::from);
    }

    /**
     * Invites a user, by id or by email, to an organization the caller owns. The invitation expires in
     * seven days; a live one for the same invitee and organization is a conflict, as is inviting a member.
     */
    @Funq("create-invitation")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.invitation.create", responseType = "io.nexodus.invitation.created")
    public Uni<Invitation> create(AddInvitation input) {
        Caller me = caller.get();
        if (input == null) {
            throw ApiErrors.fieldNotPresent("organization_id");
        }
        UUID organizationId = Ids.requiredUuid(input.organizationId(), "organization_id");
        Invitee invitee = Invitee.of(input.userId(), input.email());
        String[] roles = roles(input.roles());
        UUID id = UUID.randomUUID();
        return db.withTransaction(conn -> access.requireOwner(conn, me, organizationId, "organization")
                // one invitation writer per organization at a time, so the duplicate check below holds
                .call(ok -> conn.preparedQuery("SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE")
                        .execute(Tuple.of(organizationId)))
                .flatMap(ok -> invitee.resolve(conn))
                .call(userId -> refuseMemberDuplicateOrTooMany(conn, organizationId, invitee, userId))
                .flatMap(userId -> conn.preparedQuery("INSERT INTO invitations (id, user_id, email, organization_id,"
                                + " from_id, roles, expires_at) VALUES ($1, $2, $3, $4, $5, $6, now() + interval '7 days')")
                        .execute(Tuple.from(Arrays.asList(id, userId, invitee.email(), organizationId, me.userId(),
                                roles))))
                .flatMap(inserted -> load(conn, me, id, false))
                .map(Visible::invitation)
                .call(invitation -> outbox.record(conn, FUNCTION, changed(EventType.INVITATION_CREATED, invitation))));
    }

    @Funq("get-invitation")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.invitation.get", responseType = "io.nexodus.invitation.fetched")
    public Uni<Invitation> get(InvitationRef ref) {
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        return load(db, caller.get(), id, false).map(Visible::invitation);
    }

    /**
     * The invited user joins the organization with the invitation's roles, and the invitation is used up.
     * Unlike Nexodus, an expired invitation is refused. The invitation row is locked, so of two
     * concurrent accepts one joins and the other finds the invitation gone (404).
     */
    @Funq("accept-invitation")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.invitation.accept", responseType = "io.nexodus.organization.member.joined")
    public Uni<UserOrganization> accept(InvitationRef ref) {
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        Caller me = caller.get();
        return db.withTransaction(conn -> load(conn, me, id, true)
                .call(visible -> {
                    if (!visible.addressedToCaller()) {
                        throw ApiErrors.forbidden("only the invited user may accept an invitation");
                    }
                    if (visible.expired()) {
                        throw ApiErrors.notAllowed("invitation expired");
                    }
                    Invitation invitation = visible.invitation();
                    // ON CONFLICT: already a member (joined since the invitation was sent) keeps their roles
                    return conn.preparedQuery("INSERT INTO user_organizations (user_id, organization_id, roles)"
                                    + " VALUES ($1, $2, $3) ON CONFLICT (user_id, organization_id) DO NOTHING")
                            .execute(Tuple.of(me.userId(), invitation.organizationId(),
                                    invitation.roles().toArray(String[]::new)));
                })
                .call(visible -> conn.preparedQuery("UPDATE invitations SET deleted_at = now(), user_id = $2 WHERE id = $1")
                        .execute(Tuple.of(id, me.userId())))
                .flatMap(visible -> conn.preparedQuery("SELECT " + UserOrganization.COLUMNS + " FROM user_organizations uo"
                                + " JOIN users u ON u.id = uo.user_id WHERE uo.user_id = $1 AND uo.organization_id = $2")
                        .execute(Tuple.of(me.userId(), visible.invitation().organizationId()))
                        .map(rows -> UserOrganization.from(rows.iterator().next()))
                        .call(member -> outbox.recordAll(conn, FUNCTION, List.of(
                                changed(EventType.INVITATION_DELETED, visible.invitation()),
                                new Change(EventType.ORGANIZATION_MEMBER_JOINED, member.organizationId(),
                                        member.organizationId(), member))))));
    }

    /** Declined by the invited user, or withdrawn by an owner of the organization. */
    @Funq("delete-invitation")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.invitation.delete", responseType = "io.nexodus.invitation.deleted")
    public Uni<Invitation> delete(InvitationRef ref) {
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        Caller me = caller.get();
        return db.withTransaction(conn -> load(conn, me, id, true)
                .call(visible -> conn.preparedQuery("UPDATE invitations SET deleted_at = now() WHERE id = $1")
                        .execute(Tuple.of(id)))
                .map(Visible::invitation)
                .call(invitation -> outbox.record(conn, FUNCTION, changed(EventType.INVITATION_DELETED, invitation))));
    }

    private static Change changed(EventType type, Invitation invitation) {
        return new Change(type, invitation.id(), invitation.organizationId(), invitation);
    }

    /** An invitation as the caller sees it: whether it is for them, and whether it has expired. */
    private record Visible(Invitation invitation, boolean addressedToCaller, boolean expired) {
    }

    /** A live invitation addressed to the caller or of an organization they own, else 404. */
    private static Uni<Visible> load(SqlClient db, Caller me, UUID id, boolean lock) {
        return db.preparedQuery("SELECT " + Invitation.COLUMNS + ", " + ADDRESSED_TO_CALLER + " AS addressed_to_caller,"
                        + " i.expires_at <= now() AS expired " + Invitation.FROM + " WHERE i.id = $2 AND i.deleted_at IS NULL"
                        + " AND (" + ADDRESSED_TO_CALLER + " OR " + CALLER_OWNS_ORGANIZATION + ")"
                        + (lock ? " FOR UPDATE OF i" : ""))
                .execute(Tuple.of(me.userId(), id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiErrors.notFound("invitation");
                    }
                    Row row = rows.iterator().next();
                    return new Visible(Invitation.from(row), row.getBoolean("addressed_to_caller"),
                            row.getBoolean("expired"));
                });
    }

    /** 400 if the invitee is already a member; 409 (naming it) if a live invitation for them exists. */
    /**
     * An invitee who is a member, or already has a live invitation, is refused; so is an invitation beyond
     * {@code nexodus.invitations.max-pending} live ones of the organization (429): each is a row and an entry in
     * someone's list, and nobody needs hundreds at once. Runs under the organization's row lock.
     */
    private Uni<Void> refuseMemberDuplicateOrTooMany(SqlClient db, UUID organizationId, Invitee invitee, UUID userId) {
        return db.preparedQuery("SELECT EXISTS (SELECT 1 FROM user_organizations WHERE organization_id = $1"
                        + " AND user_id = $2) AS member, (SELECT id FROM invitations WHERE organization_id = $1"
                        + " AND deleted_at IS NULL AND expires_at > now() AND (user_id = $2 OR email = $3) LIMIT 1) AS pending,"
                        + " (SELECT count(*) FROM invitations WHERE organization_id = $1 AND deleted_at IS NULL"
                        + " AND expires_at > now()) AS live")
                .execute(Tuple.from(Arrays.asList(organizationId, userId, invitee.email())))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    if (row.getBoolean("member")) {
                        throw ApiErrors.invalidField(invitee.field(), "already a member of the organization");
                    }
                    if (row.getUUID("pending") != null) {
                        throw ApiErrors.conflict(row.getUUID("pending"));
                    }
                    if (row.getLong("live") >= maxPending) {
                        throw ApiErrors.tooMany("organization_id", "the organization has " + maxPending
                                + " pending invitations, the most it may have; delete some or wait for them to expire");
                    }
                    return null;
                });
    }

    /** {@code roles} ⊆ {owner, member}, duplicates dropped; none given means member. */
    private static String[] roles(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return new String[] {Role.MEMBER.value()};
        }
        Set<String> roles = new LinkedHashSet<>();
        for (String role : requested) {
            if (!Role.OWNER.value().equals(role) && !Role.MEMBER.value().equals(role)) {
                throw ApiErrors.invalidField("roles", "unknown role " + role + "; roles are owner and member");
            }
            roles.add(role);
        }
        return roles.toArray(String[]::new);
    }
}
