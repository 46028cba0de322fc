package io.nexodus.ipam;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** Namespaces: independent address spaces (Nexodus: one shared, one per private VPC). */
@ApplicationScoped
public class Namespaces {

    /** go-ipam's name for "no namespace given". */
    public static final String ROOT = "root";

    @Inject
    Pool pool;

    public static String orRoot(boolean present, String namespace) {
        return present && !namespace.isBlank() ? namespace : ROOT;
    }

    /** Idempotent, as go-ipam's CreateNamespace is. */
    public Uni<Void> create(String namespace) {
        if (namespace == null || namespace.isBlank()) {
            return Uni.createFrom().failure(IpamFailure.invalid("namespace is empty"));
        }
        if (namespace.length() > 128) {
            return Uni.createFrom().failure(IpamFailure.invalid("namespace is longer than 128 characters"));
        }
        return pool.preparedQuery("INSERT INTO ipam_namespaces (name) VALUES ($1) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(namespace)).replaceWithVoid();
    }

    public Uni<List<String>> list() {
        return pool.query("SELECT name FROM ipam_namespaces ORDER BY name").execute().map(rows -> {
            List<String> names = new ArrayList<>();
            for (Row row : rows) {
                names.add(row.getString(0));
            }
            return names;
        });
    }

    /**
     * Drops the namespace with everything in it, addresses included (go-ipam drops its table). The
     * root namespace stays: requests without a namespace must always have somewhere to go.
     */
    public Uni<Void> delete(String namespace) {
        if (ROOT.equals(namespace)) {
            return Uni.createFrom().failure(IpamFailure.invalid("the root namespace cannot be deleted"));
        }
        return pool.withTransaction(tx -> tx.preparedQuery("SELECT name FROM ipam_namespaces WHERE name = $1 FOR UPDATE")
                .execute(Tuple.of(namespace))
                .flatMap(found -> {
                    if (found.size() == 0) {
                        return Uni.createFrom().failure(IpamFailure.namespaceMissing(namespace));
                    }
                    String inNamespace = "(SELECT id FROM ipam_prefixes WHERE namespace = $1)";
                    // lock the prefixes first: an acquire in flight (FOR KEY SHARE) finishes before its
                    // addresses are deleted, and none starts after
                    return tx.preparedQuery("SELECT id FROM ipam_prefixes WHERE namespace = $1 FOR UPDATE").execute(Tuple.of(namespace))
                            .flatMap(x -> tx.preparedQuery("DELETE FROM ipam_addresses WHERE prefix_id IN " + inNamespace).execute(Tuple.of(namespace)))
                            .flatMap(x -> tx.preparedQuery("DELETE FROM ipam_prefixes WHERE namespace = $1").execute(Tuple.of(namespace)))
                            .flatMap(x -> tx.preparedQuery("DELETE FROM ipam_namespaces WHERE name = $1").execute(Tuple.of(namespace)))
                            .replaceWithVoid();
                }));
    }

    /** Fails with NamespaceDoesNotExist when it is missing; {@code lock} holds it for a prefix change. */
    static Uni<Void> require(SqlClient sql, String namespace, boolean lock) {
        return sql.preparedQuery("SELECT name FROM ipam_namespaces WHERE name = $1" + (lock ? " FOR UPDATE" : ""))
                .execute(Tuple.of(namespace))
                .flatMap(rows -> rows.size() == 0
                        ? Uni.createFrom().failure(IpamFailure.namespaceMissing(namespace))
                        : Uni.createFrom().voidItem());
    }
}
