package io.nexodus.shared.health;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Nexodus's ops endpoints (its internal/handlers/health.go), {@code GET /private/live} and
 * {@code GET /private/ready}, answered by SmallRye Health's liveness and readiness: {@code 200 {"status":"UP",…}},
 * and unlike Nexodus (whose readiness was its liveness) {@code 503} with the failing check named when the database
 * or, in fetch-peers, the change-signal connection is away. Unauthenticated, as there; never routed by the front
 * door.
 */
@ApplicationScoped
public class PrivateHealthRoutes {

    void install(@Observes Router router) {
        router.get("/private/live").handler(ctx -> ctx.reroute("/q/health/live"));
        router.get("/private/ready").handler(ctx -> ctx.reroute("/q/health/ready"));
    }
}
