package io.nexodus.fn.updatedevice;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.model.Device;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

/** The Nexodus REST binding of {@link UpdateDevice}: {@code PATCH /api/devices/{id}}. */
@Path("/api/devices")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DeviceRoute {

    @Inject
    UpdateDevice updateDevice;

    @PATCH
    @Path("/{id}")
    public Uni<Device> update(@RestPath String id, UpdateDeviceInput body) {
        if (body == null) {
            throw ApiErrors.validation("request json is invalid: empty body", null);
        }
        Ids.requireSameAsPath(body.id(), id);
        return updateDevice.update(body.withId(id));
    }
}
