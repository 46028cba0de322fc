package io.nexodus.fn.vpcs;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.vpcs.Inputs.AddVpc;
import io.nexodus.fn.vpcs.Inputs.UpdateVpc;
import io.nexodus.fn.vpcs.Inputs.VpcRef;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.devices.DeviceAddresses;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.http.Descriptions;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.model.Vpc;
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
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The {@code vpcs} function: virtual private clouds, the address spaces devices live in (Nexodus's
 * internal/handlers/vpc.go). Members read and create; owners update and delete.
 */
@OncePerEvent
@ApplicationScoped
public class Vpcs {

    private static final Logger LOG = Logger.getLogger(Vpcs.class);

    private static final Map<String, String> COLUMNS = Map.of("id", "v.id", "organization_id", "v.organization_id",
            "description", "v.description", "private_cidr", "v.private_cidr", "ipv4_cidr", "v.ipv4_cidr",
            "ipv6_cidr", "v.ipv6_cidr", "revision", "v.revision");

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Inject
    IpamClient ipam;

    @Inject
    DeviceAddresses addresses;

    @Inject
    Outbox outbox;

    @Funq("list-vpcs")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.vpcs.list", responseType = "io.nexodus.vpcs.listed")
    public Uni<List<Vpc>> list(ListParams params) {
        return page(params).map(Page::items);
    }

    Uni<Page<Vpc>> page(ListParams params) {
        Caller me = caller.get();
        // a registration key or device token sees only the VPC it is bound to
        return ListQuery.of(params, COLUMNS, "description").run(db, Vpc.COLUMNS,
                "FROM vpcs v JOIN user_organizations uo ON uo.organization_id = v.organization_id AND uo.user_id = $1"
                        + " WHERE v.deleted_at IS NULL AND ($2::uuid IS NULL OR v.id = $2)",
                java.util.Arrays.asList(me.userId(), me.vpcId()), Vpc::from);
    }

    /**
     * Creates the VPC's IPAM namespace and prefixes first, then the rows (VPC and its default security
     * group, id = VPC id); if the rows cannot be written, a private VPC's prefixes are given back.
     */
    @Funq("create-vpc")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.vpc.create", responseType = "io.nexodus.vpc.created")
    public Uni<Vpc> create(AddVpc input) {
        Caller me = caller.get();
        if (input == null) {
            throw ApiErrors.fieldNotPresent("organization_id");
        }
        UUID organizationId = Ids.requiredUuid(input.organizationId(), "organization_id");
        boolean privateCidr = Boolean.TRUE.equals(input.privateCidr());
        VpcCidrs cidrs = VpcCidrs.of(privateCidr, input.ipv4Cidr(), input.ipv6Cidr());
        String description = Descriptions.of(input.description());
        Vpc planned = new Vpc(UUID.randomUUID(), organizationId, description, privateCidr, cidrs.ipv4(), cidrs.ipv6(), 0);
        String ns = DeviceAddresses.namespaceOf(planned);
        return access.requireMember(db, me, organizationId, "organization")
                .flatMap(roles -> addresses.prepare(planned, ns)
                        .onFailure().transform(f -> ApiErrors.unavailable("IPAM could not create the VPC's prefixes: "
                                + f.getMessage())))
                .flatMap(ready -> db.withTransaction(conn -> conn.preparedQuery("INSERT INTO vpcs (id, organization_id,"
                                + " description, private_cidr, ipv4_cidr, ipv6_cidr) VALUES ($1, $2, $3, $4, $5, $6)"
                                + " RETURNING " + Vpc.COLUMNS.replace("v.", ""))
                        .execute(Tuple.from(List.of(planned.id(), organizationId, description, privateCidr, cidrs.ipv4(),
                                cidrs.ipv6())))
                        .call(rows -> conn.preparedQuery("INSERT INTO security_groups (id, organization_id, vpc_id,"
                                + " description) VALUES ($1, $2, $1, 'default vpc security group')")
                                .execute(Tuple.of(planned.id(), organizationId)))
                        .map(rows -> Vpc.from(rows.iterator().next()))
                        .call(vpc -> Signals.notifyOrganization(conn, organizationId, Signals.VPC))
                        .call(vpc -> outbox.record(conn, "vpcs", changed(EventType.VPC_CREATED, vpc))))
                        .onFailure().call(f -> privateCidr ? releasePrefixes(planned) : Uni.createFrom().voidItem()));
    }

    @Funq("get-vpc")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.vpc.get", responseType = "io.nexodus.vpc.fetched")
    public Uni<Vpc> get(VpcRef ref) {
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        return access.requireVpcMember(db, caller.get(), id, "vpc").flatMap(org -> load(db, id));
    }

    @Funq("update-vpc")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.vpc.update", responseType = "io.nexodus.vpc.updated")
    public Uni<Vpc> update(UpdateVpc input) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(input == null ? null : input.id(), "id");
        String description = input.description() == null ? null : Descriptions.of(input.description());
        return db.withTransaction(conn -> access.requireVpcMember(conn, me, id, "vpc")
                .call(org -> access.requireOwner(conn, me, org, "vpc"))
                .flatMap(org -> description == null ? load(conn, id)
                        : conn.preparedQuery("UPDATE vpcs v SET description = $2 WHERE id = $1 RETURNING " + Vpc.COLUMNS)
                                .execute(Tuple.of(id, description)).map(rows -> Vpc.from(rows.iterator().next())))
                .call(vpc -> Signals.notifyOrganization(conn, vpc.organizationId(), Signals.VPC))
                .call(vpc -> description == null ? Uni.createFrom().voidItem()
                        : outbox.record(conn, "vpcs", changed(EventType.VPC_UPDATED, vpc))));
    }

    /** Refused for the default VPC and while devices are attached; a private VPC's prefixes go back to IPAM. */
    @Funq("delete-vpc")
    @RequiresScope("write:organizations")
    @CloudEventMapping(trigger = "io.nexodus.vpc.delete", responseType = "io.nexodus.vpc.deleted")
    public Uni<Vpc> delete(VpcRef ref) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        return db.withTransaction(conn -> access.requireVpcMember(conn, me, id, "vpc")
                        .call(org -> access.requireOwner(conn, me, org, "vpc"))
                        .flatMap(org -> {
                            if (org.equals(id)) {
                                throw ApiErrors.notAllowed("default vpc cannot be deleted");
                            }
                            return conn.preparedQuery("SELECT 1 FROM devices WHERE vpc_id = $1 AND deleted_at IS NULL"
                                    + " LIMIT 1").execute(Tuple.of(id));
                        })
                        .flatMap(devices -> {
                            if (devices.size() > 0) {
                                throw ApiErrors.notAllowed("vpc cannot be deleted while devices are still attached");
                            }
                            return load(conn, id);
                        })
                        .call(vpc -> conn.preparedQuery("UPDATE reg_keys SET deleted_at = now() WHERE vpc_id = $1"
                                + " AND deleted_at IS NULL").execute(Tuple.of(id)))
                        .call(vpc -> conn.preparedQuery("UPDATE security_groups SET deleted_at = now() WHERE vpc_id = $1"
                                + " AND deleted_at IS NULL").execute(Tuple.of(id)))
                        .call(vpc -> conn.preparedQuery("UPDATE vpcs SET deleted_at = now() WHERE id = $1")
                                .execute(Tuple.of(id)))
                        // the VPC itself (its own watchers), and every other VPC of the organization (whose watchers
                        // see all of the organization's VPCs)
                        .call(vpc -> Signals.notify(conn, Signals.vpc(id)))
                        .call(vpc -> Signals.notifyOrganization(conn, vpc.organizationId(), Signals.VPC))
                        .call(vpc -> outbox.record(conn, "vpcs", changed(EventType.VPC_DELETED, vpc))))
                .call(vpc -> vpc.privateCidr() ? releasePrefixes(vpc) : Uni.createFrom().voidItem());
    }

    /** A private VPC's prefixes and namespace (Nexodus left the namespace behind). Best effort, logged. */
    private Uni<Void> releasePrefixes(Vpc vpc) {
        String ns = DeviceAddresses.namespaceOf(vpc);
        return addresses.deletePrefixes(ns, List.of(vpc.ipv4Cidr(), vpc.ipv6Cidr()))
                .call(() -> ipam.deleteNamespace(ns).onFailure().recoverWithItem(f -> {
                    LOG.warnf("IPAM namespace %s not deleted: %s", ns, f.getMessage());
                    return null;
                }));
    }

    private static Change changed(EventType type, Vpc vpc) {
        return new Change(type, vpc.id(), vpc.organizationId(), vpc);
    }

    static Uni<Vpc> load(SqlClient db, UUID id) {
        return db.preparedQuery("SELECT " + Vpc.COLUMNS + " FROM vpcs v WHERE v.id = $1 AND v.deleted_at IS NULL")
                .execute(Tuple.of(id))
                .map(Rows.one("vpc", Vpc::from));
    }
}
