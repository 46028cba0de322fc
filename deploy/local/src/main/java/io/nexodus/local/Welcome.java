package io.nexodus.local;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET /} of the local all-in-one: a page for the person who opens it in a browser, pointing at the API
 * description, a token and the nexd how-to. Only the exact path, before authentication; the functions in a
 * cluster have no such page (the front door routes only the API).
 */
@ApplicationScoped
public class Welcome {

    static final String PAGE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Nexodus Functions (local)</title></head>
            <body style="font-family: sans-serif; max-width: 46em; margin: 2em auto">
            <h1>Nexodus Functions</h1>
            <p>The Nexodus API, every function in this one process (the local all-in-one).</p>
            <ul>
            <li><a href="/q/swagger-ui">Browse the API</a> (its description: <a href="/q/openapi">/q/openapi</a>)</li>
            <li><a href="/dev/token?username=admin">A token for user admin</a>
              (<code>/dev/token?username=&lt;any name&gt;</code>: each name is another user and tenant);
              send it as <code>Authorization: Bearer &lt;access_token&gt;</code></li>
            <li><a href="/api/fflags">The feature flags</a> (needs a token), <a href="/q/health">health</a></li>
            <li>A machine in the mesh with nexd: the README, section "A real nexd" (HTTPS is on its own port)</li>
            </ul>
            </body></html>
            """;

    void install(@Observes Router router) {
        router.get("/").order(Integer.MIN_VALUE + 500).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8").end(PAGE));
    }
}
