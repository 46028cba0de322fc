package io.nexodus.fn.vpcs;

import io.nexodus.fn.vpcs.Inputs.AddVpc;
import io.nexodus.fn.vpcs.Inputs.UpdateVpc;
import io.nexodus.fn.vpcs.Inputs.VpcRef;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.http.RestResponses;
import io.nexodus.shared.model.Vpc;
import io.nexodus.shared.store.ListParams;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** The Nexodus REST binding of {@link Vpcs}: Nexodus's internal/handlers/vpc.go (the device, metadata and event sub-routes belong elsewhere). */
@Path("/api/vpcs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class VpcsRoute {

    @Inject
    Vpcs vpcs;

    @GET
    public Uni<Response> list(@RestQuery String sort, @RestQuery String filter, @RestQuery String range) {
        return vpcs.page(new ListParams(sort, filter, range)).map(RestResponses::list);
    }

    @APIResponse(responseCode = "201", description = "Created: the new resource")
    @POST
    public Uni<Response> create(AddVpc body) {
        return vpcs.create(body).map(RestResponses::created);
    }

    @GET
    @Path("/{id}")
    public Uni<Vpc> get(@RestPath String id) {
        return vpcs.get(new VpcRef(id));
    }

    @PATCH
    @Path("/{id}")
    public Uni<Vpc> update(@RestPath String id, UpdateVpc body) {
        Ids.requireSameAsPath(body == null ? null : body.id(), id);
        return vpcs.update(new UpdateVpc(id, body == null ? null : body.description()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Vpc> delete(@RestPath String id) {
        return vpcs.delete(new VpcRef(id));
    }
}
