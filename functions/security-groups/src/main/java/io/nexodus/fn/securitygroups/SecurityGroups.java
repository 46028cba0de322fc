package io.nexodus.fn.securitygroups;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.securitygroups.Inputs.AddSecurityGroup;
import io.nexodus.fn.securitygroups.Inputs.ListVpcSecurityGroups;
import io.nexodus.fn.securitygroups.Inputs.SecurityGroupRef;
import io.nexodus.fn.securitygroups.Inputs.UpdateSecurityGroup;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.flags.FeatureFlags;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.http.Descriptions;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.store.ListParams;
import io.nexodus.shared.store.ListQuery;
import io.nexodus.shared.store.Page;
import io.nexodus.shared.store.Rows;
import io.nexodus.shared.store.Signals;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code security-groups} function: the firewall policy nexd applies to a VPC's devices (Nexodus's
 * internal/handlers/security_group.go). Members of the VPC's organization read groups; owners create, change and delete
 * them. Every change bumps the group's revision (a trigger does) and signals the VPCs of the group's
 * organization, so their watchers (nexd) see it at once.
 */
@OncePerEvent
@ApplicationScoped
public class SecurityGroups {


    private static final Map<String, String> COLUMNS = Map.of("id", "sg.id", "description", "sg.description",
            "vpc_id", "sg.vpc_id", "organization_id", "sg.organization_id", "revision", "sg.revision");

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Inject
    Outbox outbox;

    @Inject
    FeatureFlags flags;

    @Funq("list-security-groups")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.securitygroups.list", responseType = "io.nexodus.securitygroups.listed")
    public Uni<List<SecurityGroup>> list(ListParams params) {
        return page(params).map(Page::items);
    }

    /** The groups of every organization the caller belongs to. */
    Uni<Page<SecurityGroup>> page(ListParams params) {
        return ListQuery.of(params, COLUMNS, "description").run(db, SecurityGroup.COLUMNS,
                "FROM security_groups sg WHERE sg.deleted_at IS NULL AND sg.organization_id IN"
                        + " (SELECT uo.organization_id FROM user_organizations uo WHERE uo.user_id = $1)",
                List.of(caller.get().userId()), SecurityGroup::from);
    }

    @Funq("list-vpc-security-groups")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.vpc.securitygroups.list",
            responseType = "io.nexodus.vpc.securitygroups.listed")
    public Uni<List<SecurityGroup>> listInVpc(ListVpcSecurityGroups input) {
        return vpcPage(input).map(Page::items);
    }

    /**
     * The groups of the VPC's organization, as Nexodus lists them and as the {@code security-group} watch
     * of {@code fetch-peers} streams them to the VPC's devices; for members of that organization.
     */
    Uni<Page<SecurityGroup>> vpcPage(ListVpcSecurityGroups input) {
        UUID vpcId = Ids.pathUuid(input == null ? null : input.id(), "id");
        ListQuery query = ListQuery.of(new ListParams(input.sort(), input.filter(), input.range()), COLUMNS, "id");
        return access.requireVpcMember(db, caller.get(), vpcId, "vpc")
                .flatMap(organizationId -> query.run(db, SecurityGroup.COLUMNS,
                        "FROM security_groups sg WHERE sg.deleted_at IS NULL AND sg.organization_id = $1",
                        List.of(organizationId), SecurityGroup::from));
    }

    /** A new group in a VPC whose organization the caller owns; it belongs to the VPC's organization. */
    @Funq("create-security-group")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.securitygroup.create", responseType = "io.nexodus.securitygroup.created")
    public Uni<SecurityGroup> create(AddSecurityGroup input) {
        flags.require(FeatureFlags.SECURITY_GROUPS);
        Caller me = caller.get();
        if (input == null) {
            throw ApiErrors.fieldNotPresent("vpc_id");
        }
        UUID vpcId = Ids.requiredUuid(input.vpcId(), "vpc_id");
        String description = Descriptions.of(input.description());
        List<SecurityRule> inbound = RuleValidation.validated(input.inboundRules(), "inbound_rules");
        List<SecurityRule> outbound = RuleValidation.validated(input.outboundRules(), "outbound_rules");
        UUID id = UUID.randomUUID();
        return db.withTransaction(conn -> access.requireVpcMember(conn, me, vpcId, "vpc")
                .call(organizationId -> access.requireOwner(conn, me, organizationId, "vpc"))
                .flatMap(organizationId -> conn.preparedQuery("INSERT INTO security_groups (id, organization_id, vpc_id,"
                                + " description, inbound_rules, outbound_rules) VALUES ($1, $2, $3, $4, $5, $6)"
                                + " RETURNING " + SecurityGroup.COLUMNS.replace("sg.", ""))
                        .execute(Tuple.from(Arrays.asList(id, organizationId, vpcId, description,
                                SecurityRule.toJson(inbound == null ? List.of() : inbound),
                                SecurityRule.toJson(outbound == null ? List.of() : outbound)))))
                .map(rows -> SecurityGroup.from(rows.iterator().next()))
                .call(group -> changed(conn, EventType.SECURITY_GROUP_CREATED, group)));
    }

    @Funq("get-security-group")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.securitygroup.get", responseType = "io.nexodus.securitygroup.fetched")
    public Uni<SecurityGroup> get(SecurityGroupRef ref) {
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        Caller me = caller.get();
        return load(db, id, false).call(group -> access.requireMember(db, me, group.organizationId(), "security-group"));
    }

    /** Owners only. A rule list given (even empty) replaces the whole list; an absent one stays. */
    @Funq("update-security-group")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.securitygroup.update", responseType = "io.nexodus.securitygroup.updated")
    public Uni<SecurityGroup> update(UpdateSecurityGroup input) {
        UUID id = Ids.pathUuid(input == null ? null : input.id(), "id");
        Caller me = caller.get();
        String description = input.description() == null ? null : Descriptions.of(input.description());
        List<SecurityRule> inbound = RuleValidation.validated(input.inboundRules(), "inbound_rules");
        List<SecurityRule> outbound = RuleValidation.validated(input.outboundRules(), "outbound_rules");
        return db.withTransaction(conn -> load(conn, id, true)
                .call(group -> access.requireOwner(conn, me, group.organizationId(), "security-group"))
                .flatMap(group -> conn.preparedQuery("UPDATE security_groups sg SET description = coalesce($2, description),"
                                + " inbound_rules = coalesce($3, inbound_rules), outbound_rules = coalesce($4, outbound_rules)"
                                + " WHERE id = $1 RETURNING " + SecurityGroup.COLUMNS)
                        .execute(Tuple.from(Arrays.asList(id, description,
                                inbound == null ? null : SecurityRule.toJson(inbound),
                                outbound == null ? null : SecurityRule.toJson(outbound)))))
                .map(rows -> SecurityGroup.from(rows.iterator().next()))
                .call(group -> changed(conn, EventType.SECURITY_GROUP_UPDATED, group)));
    }

    /**
     * Owners only; never the VPC's default group, and not while a device uses the group. The group's row
     * is locked first, so a device registering with it at the same time waits and then sees it gone.
     * Registration keys that named it fall back to the VPC's default group.
     */
    @Funq("delete-security-group")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.securitygroup.delete", responseType = "io.nexodus.securitygroup.deleted")
    public Uni<SecurityGroup> delete(SecurityGroupRef ref) {
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        Caller me = caller.get();
        return db.withTransaction(conn -> load(conn, id, true)
                .call(group -> access.requireOwner(conn, me, group.organizationId(), "security-group"))
                .call(group -> {
                    if (group.isDefault()) {
                        throw ApiErrors.notAllowed("default security group cannot be deleted");
                    }
                    return conn.preparedQuery("SELECT 1 FROM devices WHERE security_group_id = $1 AND deleted_at IS NULL"
                            + " LIMIT 1").execute(Tuple.of(id)).map(rows -> {
                                if (rows.size() > 0) {
                                    throw ApiErrors.notAllowed("security group is in use by devices");
                                }
                                return null;
                            });
                })
                .call(group -> conn.preparedQuery("UPDATE reg_keys SET security_group_id = NULL WHERE security_group_id = $1")
                        .execute(Tuple.of(id)))
                .call(group -> conn.preparedQuery("UPDATE security_groups SET deleted_at = now() WHERE id = $1")
                        .execute(Tuple.of(id)))
                .call(group -> changed(conn, EventType.SECURITY_GROUP_DELETED, group)));
    }

    /** Every change of a group is told twice, both sent only if it commits: to watchers, and as an event. */
    private Uni<Void> changed(SqlConnection conn, EventType type, SecurityGroup group) {
        return signalOrganization(conn, group).call(() -> outbox.record(conn, "security-groups",
                new Change(type, group.id(), group.organizationId(), group)));
    }

    /**
     * Wakes the watchers of every VPC of the group's organization, the scope in which {@code fetch-peers}
     * streams security groups (Nexodus meant the same but looked VPCs up by the group's VPC id, so only
     * a default VPC, whose id is its organization's, was ever woken). Sent in the writing transaction:
     * PostgreSQL delivers it only once the change commits.
     */
    private static Uni<Void> signalOrganization(SqlConnection conn, SecurityGroup group) {
        return Signals.notifyOrganization(conn, group.organizationId(), Signals.SECURITY_GROUPS);
    }

    /** A live group, else 404; callers check the caller's role in {@code organizationId} before using it. */
    private static Uni<SecurityGroup> load(SqlClient db, UUID id, boolean lock) {
        return db.preparedQuery("SELECT " + SecurityGroup.COLUMNS + " FROM security_groups sg WHERE sg.id = $1"
                        + " AND sg.deleted_at IS NULL" + (lock ? " FOR UPDATE" : ""))
                .execute(Tuple.of(id))
                .map(Rows.one("security-group", SecurityGroup::from));
    }
}
