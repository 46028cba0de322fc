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

/**
 * Child prefixes carved from a parent (lowest aligned free block first, or a given one). Rare and
 * small, so the parent row is locked FOR UPDATE for the change: that also waits out, and then sees,
 * any address being allocated in the parent (a prefix hands out prefixes or addresses, not both).
 */
@ApplicationScoped
public class ChildPrefixes {

    @Inject
    Pool pool;

    public Uni<PrefixRecord> acquire(String namespace, Cidr parentCidr, int requestedLength, String specific) {
        Cidr wanted = specific == null ? null : Cidr.parse(specific);
        int length = wanted != null && requestedLength == 0 ? wanted.length() : requestedLength;
        if (length <= parentCidr.length() || length > parentCidr.bits()) {
            return Uni.createFrom().failure(IpamFailure.invalid("given length:" + length
                    + " must be greater than prefix length:" + parentCidr.length() + " and at most " + parentCidr.bits()));
        }
        if (wanted != null && (!parentCidr.contains(wanted) || wanted.length() != length)) {
            return Uni.createFrom().failure(IpamFailure.invalid("given child prefix " + wanted
                    + " is not a /" + length + " inside " + parentCidr));
        }
        return pool.withTransaction(tx -> Prefixes.find(tx, namespace, parentCidr, true).flatMap(parent -> {
            if (parent == null) {
                return Namespaces.require(tx, namespace, false)
                        .flatMap(x -> Uni.createFrom().failure(IpamFailure.prefixNotFound(parentCidr.toString())));
            }
            return tx.preparedQuery("SELECT EXISTS (SELECT 1 FROM ipam_addresses WHERE prefix_id = $1)")
                    .execute(Tuple.of(parent.id()))
                    .flatMap(hasIps -> hasIps.iterator().next().getBoolean(0)
                            ? Uni.createFrom().failure(IpamFailure.precondition("prefix " + parent.cidr()
                                    + " has ips, acquire child prefix not possible"))
                            : children(tx, parent.id()))
                    .flatMap(taken -> {
                        Cidr child = wanted != null ? wanted : CidrBlocks.firstFree(parentCidr, taken, length);
                        if (child == null) {
                            return Uni.createFrom().failure(IpamFailure.noChildPrefixAvailable(parentCidr.toString(), length));
                        }
                        for (Cidr existing : taken) {
                            if (existing.contains(child.network()) || child.contains(existing.network())) {
                                return Uni.createFrom().failure(IpamFailure.alreadyAllocated(child.toString(), parentCidr.toString()));
                            }
                        }
                        return Prefixes.insert(tx, namespace, child, parent)
                                .call(x -> tx.preparedQuery("UPDATE ipam_prefixes SET children = children + 1 WHERE id = $1")
                                        .execute(Tuple.of(parent.id())));
                    });
        }));
    }

    public Uni<PrefixRecord> release(String namespace, Cidr childCidr) {
        return pool.withTransaction(tx -> Prefixes.find(tx, namespace, childCidr, true).flatMap(child -> {
            if (child == null || child.parentCidr().isEmpty()) {
                return Uni.createFrom().failure(IpamFailure.prefixNotFound(childCidr.toString()));
            }
            return Prefixes.remove(tx, child);
        }));
    }

    static Uni<List<Cidr>> children(SqlClient sql, long parentId) {
        return sql.preparedQuery("SELECT cidr::text FROM ipam_prefixes WHERE parent_id = $1")
                .execute(Tuple.of(parentId))
                .map(rows -> {
                    List<Cidr> taken = new ArrayList<>();
                    for (Row row : rows) {
                        taken.add(Cidr.parse(row.getString(0)));
                    }
                    // by first address: the free-space walks need it (PostgreSQL's cidr order is not quite that)
                    taken.sort(java.util.Comparator.comparing(Cidr::network));
                    return taken;
                });
    }
}
