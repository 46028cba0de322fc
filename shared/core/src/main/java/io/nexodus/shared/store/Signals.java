package io.nexodus.shared.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.UUID;

/**
 * Change signals for watchers: PostgreSQL {@code NOTIFY} on channel {@code signalbus} with Nexodus's
 * signal names ({@code /devices/vpc=<id>}, …). Sent inside the writer's transaction, so PostgreSQL
 * delivers it only if, and when, the change commits; every {@code fetch-peers} replica listens.
 */
public final class Signals {

    public static final String CHANNEL = "signalbus";

    private Signals() {
    }

    public static String devices(UUID vpcId) {
        return "/devices/vpc=" + vpcId;
    }

    public static String metadata(UUID vpcId) {
        return "/metadata/vpc=" + vpcId;
    }

    public static final String VPC = "/vpc=";
    public static final String SECURITY_GROUPS = "/security-groups/vpc=";

    public static String vpc(UUID vpcId) {
        return VPC + vpcId;
    }

    public static String securityGroups(UUID vpcId) {
        return SECURITY_GROUPS + vpcId;
    }

    /**
     * {@code prefix + id} for every live VPC of the organization, in one statement: for the kinds whose watch
     * shows an organization's rows to a watcher of any of its VPCs (security groups, VPCs), every such watcher
     * must hear a change, not only one of the VPC it concerns.
     */
    public static Uni<Void> notifyOrganization(SqlClient tx, UUID organizationId, String prefix) {
        return tx.preparedQuery("SELECT count(pg_notify($1, $2 || id::text)) FROM vpcs"
                        + " WHERE organization_id = $3 AND deleted_at IS NULL")
                .execute(Tuple.of(CHANNEL, prefix, organizationId)).replaceWithVoid();
    }

    public static Uni<Void> notify(SqlClient tx, String signal) {
        return tx.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(CHANNEL, signal)).replaceWithVoid();
    }
}
