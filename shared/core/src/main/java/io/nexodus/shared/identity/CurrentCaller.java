package io.nexodus.shared.identity;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The caller of the current request, for function logic. Works the same under every binding: the
 * REST layer and both Funqy bindings publish the request's routing context to
 * {@link CurrentVertxRequest} before the function runs.
 */
@ApplicationScoped
public class CurrentCaller {

    @Inject
    CurrentVertxRequest request;

    public Caller get() {
        return BearerAuthentication.callerOf(request.getCurrent());
    }
}
