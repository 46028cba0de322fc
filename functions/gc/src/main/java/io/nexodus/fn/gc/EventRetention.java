package io.nexodus.fn.gc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Bounds the event tables: outbound events older than the audit retention go whether delivered or not
 * (a sink down for longer than that loses them rather than letting them pile up), and the answers kept
 * for inbound redeliveries go after theirs.
 */
@ApplicationScoped
class EventRetention {

    @Inject
    Pool db;

    /** Adds {@code events} and {@code inbound_events} to {@code purged}. */
    Uni<Void> purge(OffsetDateTime eventsBefore, OffsetDateTime inboundBefore, Map<String, Long> purged) {
        return db.preparedQuery("DELETE FROM events WHERE time < $1")
                .execute(Tuple.of(eventsBefore.withOffsetSameInstant(ZoneOffset.UTC)))
                .invoke(rows -> purged.put("events", (long) rows.rowCount()))
                .flatMap(ignored -> db.preparedQuery("DELETE FROM inbound_events WHERE seen_at < $1")
                        .execute(Tuple.of(inboundBefore.withOffsetSameInstant(ZoneOffset.UTC))))
                .invoke(rows -> purged.put("inbound_events", (long) rows.rowCount()))
                .replaceWithVoid();
    }
}
