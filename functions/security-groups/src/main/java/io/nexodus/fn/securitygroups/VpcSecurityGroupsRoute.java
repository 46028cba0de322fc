package io.nexodus.fn.securitygroups;

import io.nexodus.fn.securitygroups.Inputs.ListVpcSecurityGroups;
import io.nexodus.shared.http.RestResponses;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * {@code GET /api/vpcs/{id}/security-groups} (Nexodus's ListSecurityGroupsInVPC,
 * internal/handlers/security_group.go). Its own class with the full path: in the all-in-one, a class-level
 * {@code /api} here would hide the {@code vpcs} function's {@code /api/vpcs} routes (see the end of
 * functions/ROUTES.md).
 */
@Path("/api/vpcs/{id}/security-groups")
@Produces(MediaType.APPLICATION_JSON)
public class VpcSecurityGroupsRoute {

    @Inject
    SecurityGroups securityGroups;

    @GET
    public Uni<Response> list(@RestPath String id, @RestQuery String sort, @RestQuery String filter,
            @RestQuery String range) {
        return securityGroups.vpcPage(new ListVpcSecurityGroups(id, sort, filter, range)).map(RestResponses::list);
    }
}
