package io.nexodus.shared.http;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.error.ApiException;
import io.nexodus.shared.error.ErrorBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The failure handler for everything that is not a REST resource: the Funqy HTTP and CloudEvents
 * bindings fail the routing context with the function's exception (or with a bare status when they
 * cannot read the input); this writes the same JSON error the REST binding writes.
 */
@ApplicationScoped
public class RouteFailures {

    @Inject
    FunqyInputErrors funqyInputErrors;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    void handle(RoutingContext ctx) {
        if (ctx.failure() != null) {
            ErrorResponses.write(ctx, funqyInputErrors.missingBody(ctx, ctx.failure())
                    .<Throwable>map(error -> error).orElse(ctx.failure()));
            return;
        }
        ErrorResponses.write(ctx, switch (ctx.statusCode()) {
            case 400 -> funqyInputErrors.diagnose(ctx).orElse(ApiErrors.validation("request json is invalid", null));
            case 401 -> ApiErrors.unauthorized("a valid bearer token is required");
            case 403 -> ApiErrors.forbidden("not allowed");
            case 404 -> new ApiException(404, ErrorBody.of("not found"));
            case 405 -> new ApiException(405, ErrorBody.of("method not allowed"));
            case 406 -> new ApiException(406, ErrorBody.of("unsupported content type: send application/json or a CloudEvent"));
            case 413 -> ApiErrors.tooLarge();
            default -> ApiErrors.internal(null);
        });
    }
}
