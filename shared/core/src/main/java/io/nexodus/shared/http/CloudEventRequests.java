package io.nexodus.shared.http;

import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Whether the request being served is a CloudEvent (binary mode: {@code ce-specversion}; structured mode:
 * an {@code application/cloudevents} body). Its reply goes back into the Broker, where every Trigger's
 * subscriber can read it, so a function leaves secrets (a new registration key, a sealed device token)
 * out of it: a caller who needs one asks over HTTP.
 */
@ApplicationScoped
public class CloudEventRequests {

    @Inject
    CurrentVertxRequest current;

    public static boolean isCloudEvent(HttpServerRequest request) {
        String contentType = request.getHeader("Content-Type");
        return request.getHeader("ce-specversion") != null
                || contentType != null && contentType.startsWith("application/cloudevents");
    }

    /**
     * @return true when the current request is a CloudEvent; false outside a request's context too (a watch
     *         stream renders long after its request's context ended, and a stream is never a CloudEvent)
     */
    public boolean current() {
        return Arc.container().requestContext().isActive() && current.getCurrent() != null
                && isCloudEvent(current.getCurrent().request());
    }
}
