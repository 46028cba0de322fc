package io.nexodus.fn.gc;

import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * When sweeps start ({@code gc_sweeps}, one row, shared by every replica). The schedule's tick needs no
 * credential, so anyone in the cluster can send one: it starts a sweep only when the last one started at least
 * {@code nexodus.gc.min-interval} ago (one atomic UPDATE, so concurrent ticks start one sweep), else it is
 * {@code 429}. A sweep is idempotent and what it removes is fixed by configuration (GcPolicy), so the worst
 * a stranger can do is start tonight's sweep early, once per interval.
 */
@ApplicationScoped
public class SweepClock {

    @ConfigProperty(name = "nexodus.gc.min-interval", defaultValue = "PT1H")
    Duration minInterval;

    @Inject
    Pool db;

    /** For the schedule's tick: claims the start, or fails with 429 when the last sweep is too recent. */
    Uni<Void> claimForSchedule() {
        return db.preparedQuery("UPDATE gc_sweeps SET last_started_at = now()"
                        + " WHERE last_started_at <= now() - make_interval(secs => $1) RETURNING 1")
                .execute(Tuple.of((double) minInterval.toSeconds()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiErrors.tooMany("schedule", "a sweep started less than " + minInterval.toMinutes()
                                + " minutes ago (nexodus.gc.min-interval)");
                    }
                    return null;
                });
    }

    /** For the service token's run (always runs): notes the start, so the next tick counts from it. */
    Uni<Void> started() {
        return db.query("UPDATE gc_sweeps SET last_started_at = now()").execute().replaceWithVoid();
    }
}
