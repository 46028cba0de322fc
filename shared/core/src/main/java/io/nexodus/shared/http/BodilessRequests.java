package io.nexodus.shared.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A DELETE (or GET, HEAD, OPTIONS) without a body has no content type that matters: its {@code Content-Type}
 * is dropped before any route sees it. react-admin's REST data provider sends {@code Content-Type: text/plain} on every DELETE
 * (the console's every delete was {@code 415} for a body it never sent). A request with a body keeps its
 * header and is judged on it.
 */
@ApplicationScoped
public class BodilessRequests {

    /**
     * The methods a client sends without a body (react-admin's DELETE among them). A bodiless POST keeps its
     * header: Funqy's bindings and the CloudEvent modes read it, and their own answer names what is missing.
     */
    private static final java.util.Set<io.vertx.core.http.HttpMethod> READS_AND_DELETES = java.util.Set.of(
            io.vertx.core.http.HttpMethod.DELETE, io.vertx.core.http.HttpMethod.GET, io.vertx.core.http.HttpMethod.HEAD,
            io.vertx.core.http.HttpMethod.OPTIONS);

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 800).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            if (READS_AND_DELETES.contains(request.method()) && request.headers().contains(HttpHeaders.CONTENT_TYPE)
                    && isBodiless(request)) {
                request.headers().remove(HttpHeaders.CONTENT_TYPE);
            }
            ctx.next();
        });
    }

    /**
     * HTTP/1.x without Content-Length (or 0) and without Transfer-Encoding: "no body" (RFC 9112 §6.3). (An HTTP/2
     * request may carry a body without either; the functions speak HTTP/1.1, but it is not taken for bodiless.)
     */
    static boolean isBodiless(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return request.version() != io.vertx.core.http.HttpVersion.HTTP_2
                && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null && (length == null || length.trim().equals("0"));
    }
}
