package io.nexodus.fn.devices;

import io.nexodus.fn.devices.Inputs.VpcMetadataRef;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** {@code GET /api/vpcs/{id}/metadata} (Nexodus's ListMetadataInVPC, internal/handlers/device_metadata.go): the metadata of every device of a VPC. */
@Path("/api/vpcs/{id}/metadata")
@Produces(MediaType.APPLICATION_JSON)
public class VpcMetadataRoute {

    @Inject
    Metadata metadata;

    @GET
    public Uni<List<DeviceMetadata>> list(@RestPath String id, @RestQuery String key, @RestQuery List<String> prefix) {
        return metadata.listVpc(new VpcMetadataRef(id, key, prefix));
    }
}
