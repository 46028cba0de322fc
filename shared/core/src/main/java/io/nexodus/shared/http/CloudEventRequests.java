package io.nexodus.shared.http;

import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
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
     * The type of the CloudEvent a request carries: the {@code ce-type} header in binary mode, the body's
     * {@code type} member in structured mode (when the body has been read); null for any other request.
     */
    public static String type(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!isCloudEvent(request)) {
            return null;
        }
        String header = request.getHeader("ce-type");
        if (header != null || ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
            return header;
        }
        try {
            Object type = new JsonObject(ctx.body().buffer()).getValue("type");
            return type == null ? null : type.toString();
        } catch (RuntimeException notJson) {
            return null;
        }
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
