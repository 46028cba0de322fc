package io.nexodus.fn.joinorganization;

import io.nexodus.fn.joinorganization.Inputs.AddInvitation;
import io.nexodus.fn.joinorganization.Inputs.InvitationRef;
import io.nexodus.shared.http.RestResponses;
import io.nexodus.shared.store.ListParams;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The Nexodus REST binding of {@link Invitations}: paths and status codes of Nexodus's
 * internal/handlers/invitations.go. Accept and delete answer 204 with no body, as Nexodus does (their Funqy functions
 * return what changed); accept takes no body, so it accepts any content type (nexctl sends none).
 */
@Path("/api/invitations")
@Produces(MediaType.APPLICATION_JSON)
public class InvitationsRoute {

    @Inject
    Invitations invitations;

    @GET
    public Uni<Response> list(@RestQuery String sort, @RestQuery String filter, @RestQuery String range) {
        return invitations.page(new ListParams(sort, filter, range)).map(RestResponses::list);
    }

    @APIResponse(responseCode = "201", description = "Created: the new resource")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(AddInvitation body) {
        return invitations.create(body).map(RestResponses::created);
    }

    @GET
    @Path("/{id}")
    public Uni<Invitation> get(@RestPath String id) {
        return invitations.get(new InvitationRef(id));
    }

    @APIResponse(responseCode = "204", description = "Done; no body")
    @POST
    @Path("/{id}/accept")
    public Uni<Response> accept(@RestPath String id) {
        return invitations.accept(new InvitationRef(id)).replaceWith(Response.noContent().build());
    }

    @APIResponse(responseCode = "204", description = "Done; no body")
    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@RestPath String id) {
        return invitations.delete(new InvitationRef(id)).replaceWith(Response.noContent().build());
    }
}
