package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.http.StreamedLists;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** The Nexodus REST binding of {@link FetchPeers}: {@code GET /api/vpcs/{id}/devices}. */
@Path("/api/vpcs/{id}/devices")
@Produces(MediaType.APPLICATION_JSON)
public class PeersRoute {

    @Inject
    FetchPeers fetchPeers;

    @Inject
    StreamedLists lists;

    /**
     * Sent as it is read from the database ({@link StreamedLists}): a VPC's list can be 100,000 devices. The items are
     * batches of JSON already rendered, so the description says what the client receives (a JSON array of devices,
     * described like every other list here), not the bytes the method hands to RESTEasy.
     */
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @GET
    public RestMulti<byte[]> list(@RestPath String id, @RestQuery("gt_revision") Long gtRevision, @RestQuery String sort,
            @RestQuery String filter, @RestQuery String range) {
        return lists.respond(fetchPeers.stream(new ListPeers(id, gtRevision, sort, filter, range)));
    }
}
