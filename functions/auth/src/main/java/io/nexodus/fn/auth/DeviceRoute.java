package io.nexodus.fn.auth;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The Nexodus REST binding of {@link DeviceLogin}: public routes (no bearer token: the caller has none yet). */
@Path("/device")
@Produces(MediaType.APPLICATION_JSON)
public class DeviceRoute {

    @Inject
    DeviceLogin login;

    /** Takes no body, so any content type (or none) is accepted. */
    @POST
    @Path("/login/start")
    @Consumes(MediaType.WILDCARD)
    public Uni<DeviceLogin.DeviceStart> start() {
        return login.start(null);
    }

    @GET
    @Path("/certs")
    public DeviceLogin.KeySet certs() {
        return login.certs(null);
    }
}
