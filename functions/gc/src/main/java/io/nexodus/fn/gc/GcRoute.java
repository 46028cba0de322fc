package io.nexodus.fn.gc;

import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Nexodus's private route (its internal/handlers/gc.go): {@code GET /private/gc?retention=24h} → 204, as its nightly
 * CronJob calls it. Beyond Nexodus: {@code ipam_grace}; both may only lengthen the configured policy.
 * Unlike Nexodus, the caller must present the service token (docs/compatibility.md): one port serves
 * every binding, so "not exposed" cannot be the only guard.
 */
@Path("/private/gc")
@Produces(MediaType.APPLICATION_JSON)
public class GcRoute {

    @Inject
    CollectGarbage gc;

    @APIResponse(responseCode = "204", description = "Done; no body")
    @GET
    public Uni<Response> run(@RestQuery String retention, @RestQuery("ipam_grace") String ipamGrace) {
        return gc.run(retention, ipamGrace).map(report -> Response.noContent().build());
    }
}
