package io.nexodus.shared.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the database's schema is at least the version this code needs. On an upgrade the migration Job
 * and the new revisions start together; a replica of new code is taken into rotation only once the Job has
 * applied what it needs, never before (old replicas keep serving meanwhile: migrations only expand, see
 * shared/migrations/README.md). Once seen, the answer is kept: a schema never goes back.
 *
 * <p>{@link #REQUIRED} is the newest migration of shared/migrations ({@code SchemaVersionTest} keeps them
 * equal); {@code nexodus.schema.required} overrides it (tests).
 */
@Readiness
@ApplicationScoped
public class SchemaReadiness implements AsyncHealthCheck {

    /** The newest migration this code was built with (V14__lookups_keep_their_index.sql). */
    public static final int REQUIRED = 14;

    private static final String NAME = "schema";

    @ConfigProperty(name = "nexodus.schema.required", defaultValue = "" + REQUIRED)
    int required;

    @Inject
    Pool db;

    private volatile boolean reached;

    @Override
    public Uni<HealthCheckResponse> call() {
        if (reached) {
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).up().withData("required", required).build());
        }
        // installed_rank order, successful rows only; a version is text in Flyway's table ("8", "8.1")
        return db.query("SELECT coalesce(max(split_part(version, '.', 1)::int), 0) FROM nexodus_schema_history"
                        + " WHERE success AND version IS NOT NULL")
                .execute()
                .map(rows -> {
                    int found = rows.iterator().next().getInteger(0);
                    reached = found >= required;
                    return HealthCheckResponse.named(NAME).status(reached).withData("required", required)
                            .withData("found", found).build();
                })
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("required", required).withData("error", failure.getMessage()).build());
    }
}
