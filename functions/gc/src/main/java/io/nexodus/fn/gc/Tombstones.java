package io.nexodus.fn.gc;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hard-deletes rows soft-deleted before a cut-off (Nexodus's internal/handlers/gc.go). Watchers learn of deletes from
 * tombstones, so a watcher that stays away longer than the retention misses those deletes, as in Nexodus.
 */
@ApplicationScoped
class Tombstones {

    /** Nexodus's tables, children before parents: a parent's hard delete cascades, children go first on their own clock. */
    static final List<String> TABLES = List.of("device_metadata", "devices", "reg_keys", "invitations",
            "security_groups", "vpcs", "organizations", "users");

    @Inject
    Pool db;

    /** @return rows deleted per table */
    Uni<Map<String, Long>> purge(OffsetDateTime cutoff) {
        Map<String, Long> deleted = new LinkedHashMap<>();
        return db.withTransaction(tx -> Multi.createFrom().iterable(TABLES)
                .onItem().transformToUniAndConcatenate(table -> tx
                        .preparedQuery("DELETE FROM " + table + " WHERE deleted_at < $1")
                        .execute(Tuple.of(cutoff.withOffsetSameInstant(ZoneOffset.UTC)))
                        .invoke(rows -> deleted.put(table, (long) rows.rowCount())))
                .collect().last())
                .replaceWith(() -> deleted);
    }
}
