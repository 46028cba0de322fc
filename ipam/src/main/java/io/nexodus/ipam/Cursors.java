package io.nexodus.ipam;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Re-derives a prefix's watermark from its addresses: the first gap at or above the first usable
 * address. One index walk over the whole run, so only for bulk writes (Load, a benchmark's pre-fill),
 * never on a request path; the allocator keeps the watermark current on its own.
 */
public final class Cursors {

    private Cursors() {
    }

    public static Uni<Void> recompute(SqlClient sql, long prefixId, Cidr cidr) {
        if (!cidr.hasUsable()) {
            return Uni.createFrom().voidItem();
        }
        String first = cidr.format(cidr.firstUsable());
        return sql.preparedQuery("""
                UPDATE ipam_prefix_cursors SET epoch = epoch + 1, watermark = CASE
                    WHEN NOT EXISTS (SELECT 1 FROM ipam_addresses WHERE prefix_id = $1 AND address = $2::text::inet) THEN $2::text::inet
                    ELSE (SELECT a.address FROM ipam_addresses a WHERE a.prefix_id = $1 AND a.address >= $2::text::inet
                          AND NOT EXISTS (SELECT 1 FROM ipam_addresses b WHERE b.prefix_id = $1 AND b.address = a.address + 1)
                          ORDER BY a.address LIMIT 1)
                    END
                WHERE prefix_id = $1
                """).execute(Tuple.of(prefixId, first)).replaceWithVoid();
    }
}
