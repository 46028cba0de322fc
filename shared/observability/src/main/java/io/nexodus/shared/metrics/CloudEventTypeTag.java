package io.nexodus.shared.metrics;

import io.micrometer.core.instrument.Tags;
import io.nexodus.shared.http.FunqyDispatch;
import io.nexodus.shared.http.FunqyFunctions;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;

/**
 * Adds the CloudEvent type to {@code http.server.requests} (docs/operations.md "Metrics"), so that requests
 * and latency are per CloudEvent type as well as per route: every CloudEvent arrives on {@code POST /}.
 * The tag {@code cloudevent} is the {@code ce-type} header when this application maps it to a function,
 * {@code unmapped} for any other CloudEvent (the header is the sender's to choose: an unbounded tag would
 * let anyone make series), and {@code none} for a request that is not a CloudEvent. A structured-mode
 * event's type is in its body, which is not read here: it counts as {@code unmapped} (the Knative Broker
 * delivers binary mode).
 */
@Singleton
public class CloudEventTypeTag implements HttpServerMetricsTagsContributor {

    private static final Tags NONE = Tags.of("cloudevent", "none");
    private static final Tags UNMAPPED = Tags.of("cloudevent", "unmapped");

    @Override
    public Tags contribute(Context context) {
        HttpServerRequest request = context.request();
        String contentType = request.getHeader("Content-Type");
        boolean structured = contentType != null && contentType.startsWith("application/cloudevents+json");
        if (!FunqyDispatch.isFunqyPath(request.path()) || !request.headers().contains("ce-id") && !structured) {
            return NONE; // FunqyDispatch's rule, from the headers alone (the body is not read here)
        }
        String type = request.headers().contains("ce-id") ? request.getHeader("ce-type") : null;
        return type != null && FunqyFunctions.invokerFor(request.path(), type) != null
                ? Tags.of("cloudevent", type)
                : UNMAPPED;
    }
}
