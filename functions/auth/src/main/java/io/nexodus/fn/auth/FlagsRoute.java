package io.nexodus.fn.auth;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.jboss.resteasy.reactive.RestPath;

/** The Nexodus REST binding of {@link Flags} (its internal/handlers/fflags.go). */
@Path("/api/fflags")
@Produces(MediaType.APPLICATION_JSON)
public class FlagsRoute {

    @Inject
    Flags flags;

    @GET
    public Map<String, Boolean> list() {
        return flags.list(null);
    }

    @GET
    @Path("/{name}")
    public Map<String, Boolean> get(@RestPath String name) {
        return flags.get(new Flags.FlagRef(name));
    }
}
