package io.nexodus.fn.fetchpeers;

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

/** The Nexodus REST binding of {@link FetchPeers}: {@code GET /api/vpcs/{id}/devices}. */
@Path("/api/vpcs/{id}/devices")
@Produces(MediaType.APPLICATION_JSON)
public class PeersRoute {

    @Inject
    FetchPeers fetchPeers;

    @GET
    public Uni<Response> list(@RestPath String id, @RestQuery("gt_revision") Long gtRevision, @RestQuery String sort,
            @RestQuery String filter, @RestQuery String range) {
        return fetchPeers.page(new ListPeers(id, gtRevision, sort, filter, range)).map(RestResponses::list);
    }
}
