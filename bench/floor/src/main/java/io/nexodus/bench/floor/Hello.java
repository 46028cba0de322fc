package io.nexodus.bench.floor;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** The floor's only route: what a Quarkus app with nothing in it costs to start and answer. */
@Path("/")
public class Hello {

    @GET
    public String hello() {
        return "ok";
    }
}
