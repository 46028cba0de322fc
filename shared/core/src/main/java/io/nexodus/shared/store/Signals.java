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

    public static String vpc(UUID vpcId) {
        return "/vpc=" + vpcId;
    }

    public static String securityGroups(UUID vpcId) {
        return "/security-groups/vpc=" + vpcId;
    }

    public static Uni<Void> notify(SqlClient tx, String signal) {
        return tx.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(CHANNEL, signal)).replaceWithVoid();
    }
}
