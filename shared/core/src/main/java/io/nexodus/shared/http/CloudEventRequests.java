package io.nexodus.shared.http;

import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Whether the request being served is a CloudEvent, as Funqy dispatches it ({@link FunqyDispatch}). Its
 * reply goes back into the Broker, where every Trigger's subscriber can read it, so a function leaves
 * secrets (a new registration key, a sealed device token) out of it: a caller who needs one asks over HTTP.
 */
@ApplicationScoped
public class CloudEventRequests {

    @Inject
    CurrentVertxRequest current;

    /** @return true when Funqy will take this request as a CloudEvent (an ambiguous one was refused before) */
    public static boolean isCloudEvent(RoutingContext ctx) {
        FunqyDispatch dispatch = dispatchOrNull(ctx);
        return dispatch != null && dispatch.isCloudEvent();
    }

    private static FunqyDispatch dispatchOrNull(RoutingContext ctx) {
        try {
            return FunqyDispatch.of(ctx);
        } catch (RuntimeException ambiguous) {
            return null; // refused with 400 by authentication before any binding runs
        }
    }

    /**
     * @return true when the current request is a CloudEvent; false outside a request's context
     */
    public boolean current() {
        return Arc.container().requestContext().isActive() && current.getCurrent() != null
                && isCloudEvent(current.getCurrent());
    }
}
