package io.nexodus.fn.auth;

import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** A 302 of the browser sign-in, with the cookies it sets or clears. */
record Redirect(String location, List<String> cookies) {

    Response response() {
        Response.ResponseBuilder builder = Response.status(Response.Status.FOUND).location(URI.create(location))
                .header("Cache-Control", "no-store");
        cookies.forEach(cookie -> builder.header("Set-Cookie", cookie));
        return builder.build();
    }
}
