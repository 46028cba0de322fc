package io.nexodus.shared.http;

import io.nexodus.shared.store.Page;
import jakarta.ws.rs.core.Response;

/** Response shapes the REST binding shares across routes. */
public final class RestResponses {

    private RestResponses() {
    }

    /** A list as Nexodus sends it: a JSON array plus {@code X-Total-Count} (total before paging). */
    public static Response list(Page<?> page) {
        return Response.ok(page.items())
                .header("X-Total-Count", page.total())
                .header("Access-Control-Expose-Headers", "X-Total-Count")
                .build();
    }

    public static Response created(Object entity) {
        return Response.status(201).entity(entity).build();
    }
}
