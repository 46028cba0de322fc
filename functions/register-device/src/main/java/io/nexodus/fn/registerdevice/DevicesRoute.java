package io.nexodus.fn.registerdevice;

import io.nexodus.shared.http.RestResponses;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The Nexodus REST binding of {@link RegisterDevice}: {@code POST /api/devices} → 201. */
@Path("/api/devices")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DevicesRoute {

    @Inject
    RegisterDevice registerDevice;

    @APIResponse(responseCode = "201", description = "Created: the new resource")
    @POST
    public Uni<Response> register(AddDevice body) {
        return registerDevice.register(body).map(RestResponses::created);
    }
}
