package io.nexodus.fn.devices;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.fn.devices.Inputs.DeviceRef;
import io.nexodus.fn.devices.Inputs.MetadataRef;
import io.nexodus.fn.devices.Inputs.PutMetadata;
import io.nexodus.fn.devices.Inputs.VpcMetadataRef;
import io.nexodus.shared.http.RestResponses;
import io.nexodus.shared.model.Device;
import io.nexodus.shared.store.ListParams;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The Nexodus REST binding of {@link Devices}, {@link Metadata} (its internal/handlers/device.go and
 * device_metadata.go) and {@link DeviceTokenRotation} (an addition).
 */
@Path("/api/devices")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DevicesRoute {

    @Inject
    Devices devices;

    @Inject
    Metadata metadata;

    @Inject
    DeviceTokenRotation rotation;

    @GET
    public Uni<Response> list(@RestQuery String sort, @RestQuery String filter, @RestQuery String range) {
        return devices.page(new ListParams(sort, filter, range)).map(RestResponses::list);
    }

    @GET
    @Path("/{id}")
    public Uni<Device> get(@RestPath String id) {
        return devices.get(new DeviceRef(id));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Device> delete(@RestPath String id) {
        return devices.delete(new DeviceRef(id));
    }

    /** Takes no body, so any content type (or none) is accepted. */
    @POST
    @Path("/{id}/token")
    @Consumes(MediaType.WILDCARD)
    public Uni<Device> rotateToken(@RestPath String id) {
        return rotation.rotate(new DeviceRef(id));
    }

    @GET
    @Path("/{id}/metadata")
    public Uni<List<DeviceMetadata>> listMetadata(@RestPath String id, @RestQuery List<String> prefix) {
        return metadata.list(new MetadataRef(id, null, prefix));
    }

    @APIResponse(responseCode = "204", description = "Done; no body")
    @DELETE
    @Path("/{id}/metadata")
    public Uni<Response> deleteAllMetadata(@RestPath String id) {
        return metadata.delete(new MetadataRef(id, null, null)).replaceWith(Response.noContent().build());
    }

    @GET
    @Path("/{id}/metadata/{key}")
    public Uni<DeviceMetadata> getMetadata(@RestPath String id, @RestPath String key) {
        return metadata.get(new MetadataRef(id, key, null));
    }

    @PUT
    @Path("/{id}/metadata/{key}")
    public Uni<DeviceMetadata> putMetadata(@RestPath String id, @RestPath String key, JsonNode value) {
        return metadata.put(new PutMetadata(id, key, value));
    }

    @APIResponse(responseCode = "204", description = "Done; no body")
    @DELETE
    @Path("/{id}/metadata/{key}")
    public Uni<Response> deleteMetadata(@RestPath String id, @RestPath String key) {
        return metadata.delete(new MetadataRef(id, key, null)).replaceWith(Response.noContent().build());
    }
}
