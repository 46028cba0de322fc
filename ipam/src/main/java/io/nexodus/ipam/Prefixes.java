package io.nexodus.ipam;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/** Top-level prefixes: create (no overlap within a namespace), get, list, delete (not while in use). */
@ApplicationScoped
public class Prefixes {

    static final String SELECT = "SELECT p.id, p.namespace, p.cidr::text, COALESCE(parent.cidr::text, ''), p.children"
            + " FROM ipam_prefixes p LEFT JOIN ipam_prefixes parent ON parent.id = p.parent_id";

    @Inject
    Pool pool;

    public Uni<PrefixRecord> create(String namespace, Cidr cidr) {
        String text = cidr.toString();
        // Locking the namespace row serializes prefix changes of one namespace across all replicas, so
        // the overlap check and the insert cannot interleave with another create.
        return pool.withTransaction(tx -> Namespaces.require(tx, namespace, true)
                .flatMap(x -> tx.preparedQuery("SELECT cidr::text FROM ipam_prefixes WHERE namespace = $1"
                        + " AND parent_id IS NULL AND cidr && $2::text::cidr ORDER BY cidr LIMIT 1")
                        .execute(Tuple.of(namespace, text)))
                .flatMap(overlapping -> {
                    if (overlapping.size() > 0) {
                        String existing = overlapping.iterator().next().getString(0);
                        return Uni.createFrom().failure(existing.equals(text)
                                ? IpamFailure.prefixExists(text) : IpamFailure.overlaps(text, existing));
                    }
                    return insert(tx, namespace, cidr, null);
                }));
    }

    /** Inserts a prefix and its allocation cursor (at the first usable address). */
    static Uni<PrefixRecord> insert(SqlClient sql, String namespace, Cidr cidr, PrefixRecord parent) {
        String text = cidr.toString();
        return sql.preparedQuery("INSERT INTO ipam_prefixes (namespace, cidr, parent_id) VALUES ($1, $2::text::cidr, $3) RETURNING id")
                .execute(Tuple.of(namespace, text, parent == null ? null : parent.id()))
                .flatMap(rows -> {
                    long id = rows.iterator().next().getLong(0);
                    String start = cidr.format(cidr.hasUsable() ? cidr.firstUsable() : cidr.network());
                    return sql.preparedQuery("INSERT INTO ipam_prefix_cursors (prefix_id, watermark) VALUES ($1, $2::text::inet)")
                            .execute(Tuple.of(id, start))
                            .map(x -> new PrefixRecord(id, namespace, text, parent == null ? "" : parent.cidr(), 0));
                });
    }

    public Uni<PrefixRecord> get(String namespace, Cidr cidr) {
        return find(pool, namespace, cidr, false).flatMap(found -> found == null
                ? Uni.createFrom().failure(IpamFailure.prefixNotFound(cidr.toString()))
                : Uni.createFrom().item(found));
    }

    /** The prefix or null; {@code lock} takes it FOR UPDATE (children and deletion change under it). */
    static Uni<PrefixRecord> find(SqlClient sql, String namespace, Cidr cidr, boolean lock) {
        return sql.preparedQuery(SELECT + " WHERE p.namespace = $1 AND p.cidr = $2::text::cidr" + (lock ? " FOR UPDATE OF p" : ""))
                .execute(Tuple.of(namespace, cidr.toString()))
                .map(rows -> rows.size() == 0 ? null : read(rows.iterator().next()));
    }

    public Uni<List<PrefixRecord>> list(String namespace) {
        return Namespaces.require(pool, namespace, false)
                .flatMap(x -> pool.preparedQuery(SELECT + " WHERE p.namespace = $1 ORDER BY p.cidr").execute(Tuple.of(namespace)))
                .map(rows -> {
                    List<PrefixRecord> prefixes = new ArrayList<>();
                    for (Row row : rows) {
                        prefixes.add(read(row));
                    }
                    return prefixes;
                });
    }

    /** Refused while the prefix has addresses or child prefixes; a child's parent gets its slot back. */
    public Uni<PrefixRecord> delete(String namespace, Cidr cidr) {
        return Deadlocks.retried(() -> pool.withTransaction(tx -> find(tx, namespace, cidr, true).flatMap(prefix -> {
            if (prefix == null) {
                return Uni.createFrom().failure(IpamFailure.prefixNotFound(cidr.toString()));
            }
            return remove(tx, prefix);
        })));
    }

    static Uni<PrefixRecord> remove(SqlClient sql, PrefixRecord prefix) {
        if (prefix.children() > 0) {
            return Uni.createFrom().failure(IpamFailure.precondition("prefix " + prefix.cidr()
                    + " has childprefixes, delete prefix not possible"));
        }
        return sql.preparedQuery("DELETE FROM ipam_prefixes WHERE id = $1").execute(Tuple.of(prefix.id()))
                .onFailure(IpamFailure::isForeignKeyViolation).transform(e -> IpamFailure.precondition("prefix "
                        + prefix.cidr() + " has ips, delete prefix not possible"))
                .flatMap(x -> prefix.parentCidr().isEmpty() ? Uni.createFrom().item(prefix)
                        : sql.preparedQuery("UPDATE ipam_prefixes SET children = children - 1"
                                + " WHERE namespace = $1 AND cidr = $2::text::cidr")
                                .execute(Tuple.of(prefix.namespace(), prefix.parentCidr())).map(y -> prefix));
    }

    static PrefixRecord read(Row row) {
        return new PrefixRecord(row.getLong(0), row.getString(1), row.getString(2), row.getString(3), row.getInteger(4));
    }

    static boolean isUniqueViolation(Throwable failure) {
        return failure instanceof PgException e && "23505".equals(e.getSqlState());
    }
}
