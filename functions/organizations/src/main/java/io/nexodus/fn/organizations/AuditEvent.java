package io.nexodus.fn.organizations;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One record of an organization's audit trail: an outbound event as it was written with its change
 * (docs/events.md), plus who made the change. {@code delivered_at} is null until the sink took it (or
 * always, where no sink is configured).
 */
public record AuditEvent(
        @JsonProperty("id") UUID id,
        @JsonProperty("type") String type,
        @JsonProperty("source") String source,
        @JsonProperty("subject") String subject,
        @JsonProperty("time") OffsetDateTime time,
        @JsonProperty("actor_id") UUID actorId,
        @JsonProperty("actor_kind") String actorKind,
        @JsonProperty("data") Map<String, Object> data,
        @JsonProperty("delivered_at") OffsetDateTime deliveredAt) {

    /** Columns for {@link #from(Row)}, events aliased {@code e}. */
    static final String COLUMNS = "e.id, e.type, e.source, e.subject, e.time, e.actor_id, e.actor_kind, e.data,"
            + " e.delivered_at";

    static AuditEvent from(Row row) {
        return new AuditEvent(row.getUUID("id"), row.getString("type"), row.getString("source"), row.getString("subject"),
                row.getOffsetDateTime("time"), row.getUUID("actor_id"), row.getString("actor_kind"),
                row.getJsonObject("data").getMap(), row.getOffsetDateTime("delivered_at"));
    }
}
