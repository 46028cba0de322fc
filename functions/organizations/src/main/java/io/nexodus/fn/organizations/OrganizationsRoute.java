package io.nexodus.fn.organizations;

import io.nexodus.fn.organizations.Inputs.AddOrganization;
import io.nexodus.fn.organizations.Inputs.ListEvents;
import io.nexodus.fn.organizations.Inputs.ListMembers;
import io.nexodus.fn.organizations.Inputs.MemberRef;
import io.nexodus.fn.organizations.Inputs.OrganizationRef;
import io.nexodus.shared.http.RestResponses;
import io.nexodus.shared.model.Organization;
import io.nexodus.shared.model.UserOrganization;
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

/** The Nexodus REST binding of {@link Organizations}: paths and status codes of Nexodus's internal/handlers/organization.go. */
@Path("/api/organizations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OrganizationsRoute {

    @Inject
    Organizations organizations;

    @Inject
    AuditTrail auditTrail;

    @GET
    public Uni<Response> list(@RestQuery String sort, @RestQuery String filter, @RestQuery String range) {
        return organizations.page(new ListParams(sort, filter, range)).map(RestResponses::list);
    }

    @APIResponse(responseCode = "201", description = "Created: the new resource")
    @POST
    public Uni<Response> create(AddOrganization body) {
        return organizations.create(body).map(RestResponses::created);
    }

    @GET
    @Path("/{id}")
    public Uni<Organization> get(@RestPath String id) {
        return organizations.get(new OrganizationRef(id));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Organization> delete(@RestPath String id) {
        return organizations.delete(new OrganizationRef(id));
    }

    @GET
    @Path("/{id}/users")
    public Uni<Response> listMembers(@RestPath String id, @RestQuery String sort, @RestQuery String filter,
            @RestQuery String range) {
        return organizations.membersPage(new ListMembers(id, sort, filter, range)).map(RestResponses::list);
    }

    @GET
    @Path("/{id}/users/{uid}")
    public Uni<UserOrganization> getMember(@RestPath String id, @RestPath String uid) {
        return organizations.getMember(new MemberRef(id, uid));
    }

    @DELETE
    @Path("/{id}/users/{uid}")
    public Uni<UserOrganization> removeMember(@RestPath String id, @RestPath String uid) {
        return organizations.removeMember(new MemberRef(id, uid));
    }

    @GET
    @Path("/{id}/events")
    public Uni<Response> listEvents(@RestPath String id, @RestQuery String sort, @RestQuery String filter,
            @RestQuery String range, @RestQuery String since, @RestQuery String until) {
        return auditTrail.page(new ListEvents(id, sort, filter, range, since, until)).map(RestResponses::list);
    }
}
