package io.nexodus.shared.http;

import io.nexodus.shared.store.Page;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** Response shapes the REST binding shares across routes. */
public final class RestResponses {

    private RestResponses() {
    }

    /** A list as Nexodus sends it: a JSON array plus {@code X-Total-Count} (total before paging). */
    public static Response list(Page<?> page) {
        Response.ResponseBuilder response = Response.ok(page.items());
        listHeaders(page.total()).forEach((name, values) -> values.forEach(value -> response.header(name, value)));
        return response.build();
    }

    /** The headers of a list: {@code X-Total-Count}, exposed to a browser's script (react-admin reads it). */
    public static Map<String, List<String>> listHeaders(long total) {
        return Map.of("X-Total-Count", List.of(Long.toString(total)),
                "Access-Control-Expose-Headers", List.of("X-Total-Count"));
    }

    public static Response created(Object entity) {
        return Response.status(201).entity(entity).build();
    }
}
