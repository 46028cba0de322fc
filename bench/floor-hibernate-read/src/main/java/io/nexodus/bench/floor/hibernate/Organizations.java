package io.nexodus.bench.floor.hibernate;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;

/**
 * The same read as floor-vertx-read (same route, rows, order and JSON), through the Panache entity. The
 * entities are mapped to the same record rather than serialized themselves, so the JSON is identical and
 * only the data layer differs.
 */
@Path("/organizations")
public class Organizations {

    /** The JSON both read apps answer: the same three fields in the same order. */
    public record Org(UUID id, String name, String description) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<List<Org>> list() {
        return Organization.<Organization>find("deletedAt is null order by name").page(0, 10).list()
                .map(list -> list.stream().map(o -> new Org(o.id, o.name, o.description)).toList());
    }
}
