package io.nexodus.bench.floor.vertx;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One database read through the Vert.x reactive client, as the functions do it: the SQL is written out and
 * rows are mapped by hand. floor-hibernate-read answers the same route with the same JSON through Hibernate.
 */
@Path("/organizations")
public class Organizations {

    /** The JSON both read apps answer: the same three fields in the same order. */
    public record Org(UUID id, String name, String description) {
    }

    static final String SQL = "SELECT id, name, description FROM organizations WHERE deleted_at IS NULL "
            + "ORDER BY name LIMIT 10";

    @Inject
    Pool pool;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<List<Org>> list() {
        return pool.query(SQL).execute().map(rows -> {
            List<Org> out = new ArrayList<>();
            for (Row r : rows) {
                out.add(new Org(r.getUUID("id"), r.getString("name"), r.getString("description")));
            }
            return out;
        });
    }
}
