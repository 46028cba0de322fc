package io.nexodus.fn.organizations;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.shared.identity.RequiresScope;
import io.nexodus.fn.organizations.Inputs.ListEvents;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.store.ListParams;
import io.nexodus.shared.store.ListQuery;
import io.nexodus.shared.store.Page;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /api/organizations/{id}/events} (beyond Nexodus, which had no activity log): what changed in
 * an organization, who changed it and when, for its owners only (another tenant: 404, a member: 403).
 * The records are the outbound events themselves, kept for gc's events retention.
 */
@OncePerEvent
@ApplicationScoped
public class AuditTrail {

    private static final Map<String, String> COLUMNS = Map.of("seq", "e.seq", "time", "e.time", "type", "e.type",
            "subject", "e.subject", "source", "e.source", "actor_id", "e.actor_id", "actor_kind", "e.actor_kind");

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Funq("list-organization-events")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.organization.events.list",
            responseType = "io.nexodus.organization.events.listed")
    public Uni<List<AuditEvent>> list(ListEvents input) {
        return page(input).map(Page::items);
    }

    /** Oldest first by default; {@code since}/{@code until} bound the time, inclusive. */
    Uni<Page<AuditEvent>> page(ListEvents input) {
        UUID id = Ids.pathUuid(input == null ? null : input.id(), "id");
        OffsetDateTime since = time(input.since(), "since");
        OffsetDateTime until = time(input.until(), "until");
        ListQuery query = ListQuery.of(new ListParams(input.sort(), input.filter(), input.range()), COLUMNS, "seq");
        return access.requireOwner(db, caller.get(), id, "organization")
                .flatMap(owner -> query.run(db, AuditEvent.COLUMNS, "FROM events e WHERE e.organization_id = $1"
                                + " AND ($2::timestamptz IS NULL OR e.time >= $2) AND ($3::timestamptz IS NULL OR e.time <= $3)",
                        Arrays.asList(id, since, until), AuditEvent::from));
    }

    private static OffsetDateTime time(String value, String field) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiErrors.invalidField(field, "expected an RFC 3339 time such as 2024-01-31T12:00:00Z");
        }
    }
}
