package io.nexodus.fn.users;

import io.nexodus.fn.users.Inputs.UserMembershipRef;
import io.nexodus.fn.users.Inputs.UserRef;
import io.nexodus.shared.http.RestResponses;
import io.nexodus.shared.model.User;
import io.nexodus.shared.store.ListParams;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** The Nexodus REST binding of {@link Users}: paths and status codes of Nexodus's internal/handlers/user.go. */
@Path("/api/users")
@Produces(MediaType.APPLICATION_JSON)
public class UsersRoute {

    @Inject
    Users users;

    @GET
    public Uni<Response> list(@RestQuery String sort, @RestQuery String filter, @RestQuery String range) {
        return users.page(new ListParams(sort, filter, range)).map(RestResponses::list);
    }

    @GET
    @Path("/{id}")
    public Uni<User> get(@RestPath String id) {
        return users.get(new UserRef(id));
    }

    @DELETE
    @Path("/{id}")
    public Uni<User> delete(@RestPath String id) {
        return users.delete(new UserRef(id));
    }

    @DELETE
    @Path("/{id}/organizations/{organization}")
    public Uni<User> leave(@RestPath String id, @RestPath String organization) {
        return users.leave(new UserMembershipRef(id, organization));
    }
}
