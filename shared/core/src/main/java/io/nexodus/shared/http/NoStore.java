package io.nexodus.shared.http;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Every answer carries Nexodus's {@code Cache-Control}: control-plane state is never cached. */
@ApplicationScoped
public class NoStore {

    static final String VALUE = "no-cache, no-store, max-age=0, must-revalidate";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 900).handler(ctx -> {
            ctx.response().putHeader("Cache-Control", VALUE);
            ctx.next();
        });
    }
}
