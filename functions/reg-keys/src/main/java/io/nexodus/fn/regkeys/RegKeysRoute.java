package io.nexodus.fn.regkeys;

import io.nexodus.fn.regkeys.Inputs.AddRegKey;
import io.nexodus.fn.regkeys.Inputs.RegKeyRef;
import io.nexodus.fn.regkeys.Inputs.UpdateRegKey;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.http.RestResponses;
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

/** The Nexodus REST binding of {@link RegKeys}: paths and status codes of Nexodus's internal/handlers/reg_key.go. */
@Path("/api/reg-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RegKeysRoute {

    @Inject
    RegKeys regKeys;

    @GET
    public Uni<Response> list(@RestQuery String sort, @RestQuery String filter, @RestQuery String range) {
        return regKeys.page(new ListParams(sort, filter, range)).map(RestResponses::list);
    }

    @APIResponse(responseCode = "201", description = "Created: the new resource")
    @POST
    public Uni<Response> create(AddRegKey body) {
        return regKeys.create(body).map(RestResponses::created);
    }

    @GET
    @Path("/{id}")
    public Uni<RegKey> get(@RestPath String id) {
        return regKeys.get(new RegKeyRef(id));
    }

    @PATCH
    @Path("/{id}")
    public Uni<RegKey> update(@RestPath String id, UpdateRegKey body) {
        UpdateRegKey b = body == null ? new UpdateRegKey(null, null, null, null, null, null) : body;
        Ids.requireSameAsPath(b.id(), id);
        return regKeys.update(new UpdateRegKey(id, b.description(), b.expiresAt(), b.securityGroupId(), b.settings(),
                b.revoked()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<RegKey> delete(@RestPath String id) {
        return regKeys.delete(new RegKeyRef(id));
    }
}
