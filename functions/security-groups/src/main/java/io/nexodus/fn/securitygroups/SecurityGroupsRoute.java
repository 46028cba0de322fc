package io.nexodus.fn.securitygroups;

import io.nexodus.fn.securitygroups.Inputs.AddSecurityGroup;
import io.nexodus.fn.securitygroups.Inputs.SecurityGroupRef;
import io.nexodus.fn.securitygroups.Inputs.UpdateSecurityGroup;
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

/** The Nexodus REST binding of {@link SecurityGroups}: paths and status codes of Nexodus's internal/handlers/security_group.go. */
@Path("/api/security-groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SecurityGroupsRoute {

    @Inject
    SecurityGroups securityGroups;

    @GET
    public Uni<Response> list(@RestQuery String sort, @RestQuery String filter, @RestQuery String range) {
        return securityGroups.page(new ListParams(sort, filter, range)).map(RestResponses::list);
    }

    @APIResponse(responseCode = "201", description = "Created: the new resource")
    @POST
    public Uni<Response> create(AddSecurityGroup body) {
        return securityGroups.create(body).map(RestResponses::created);
    }

    @GET
    @Path("/{id}")
    public Uni<SecurityGroup> get(@RestPath String id) {
        return securityGroups.get(new SecurityGroupRef(id));
    }

    @PATCH
    @Path("/{id}")
    public Uni<SecurityGroup> update(@RestPath String id, UpdateSecurityGroup body) {
        UpdateSecurityGroup b = body == null ? new UpdateSecurityGroup(null, null, null, null) : body;
        Ids.requireSameAsPath(b.id(), id);
        return securityGroups.update(new UpdateSecurityGroup(id, b.description(), b.inboundRules(), b.outboundRules()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<SecurityGroup> delete(@RestPath String id) {
        return securityGroups.delete(new SecurityGroupRef(id));
    }
}
