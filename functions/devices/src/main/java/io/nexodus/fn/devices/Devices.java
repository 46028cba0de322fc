package io.nexodus.fn.devices;

import io.nexodus.shared.flags.FeatureFlags;
import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.devices.Inputs.DeviceRef;
import io.nexodus.shared.devices.DeviceRemoval;
import io.nexodus.shared.device.DeviceAccess;
import io.nexodus.shared.device.DeviceTokenVault;
import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.model.Device;
import io.nexodus.shared.store.ListParams;
import io.nexodus.shared.store.ListQuery;
import io.nexodus.shared.store.Page;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code devices} function: a user's own devices — list, get, delete (Nexodus's internal/handlers/device.go).
 * Registration and updates are their own functions ({@code register-device}, {@code update-device}).
 */
@OncePerEvent
@ApplicationScoped
public class Devices {

    private static final Map<String, String> COLUMNS = Map.of("id", "d.id", "hostname", "d.hostname",
            "vpc_id", "d.vpc_id", "public_key", "d.public_key", "os", "d.os", "relay", "d.relay",
            "online", "d.online", "revision", "d.revision", "owner_id", "d.owner_id");

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    DeviceRemoval removal;


    @Inject
    FeatureFlags flags;

    @Funq("list-devices")
    @RequiresScope("read:devices")
    @CloudEventMapping(trigger = "io.nexodus.devices.list", responseType = "io.nexodus.devices.listed")
    public Uni<List<Device>> list(ListParams params) {
        return page(params).map(Page::items);
    }

    /** Only the caller's own devices (a device token: only itself). */
    Uni<Page<Device>> page(ListParams params) {
        flags.require(FeatureFlags.DEVICES);
        Caller me = caller.get();
        String scope = me.kind() == Caller.Kind.DEVICE_TOKEN ? " AND d.id = $2" : " AND $2::uuid IS NULL";
        return ListQuery.of(params, COLUMNS, "hostname").run(db, StoredDevice.COLUMNS,
                        "FROM devices d WHERE d.owner_id = $1 AND d.deleted_at IS NULL" + scope,
                        java.util.Arrays.asList(me.userId(), me.kind() == Caller.Kind.DEVICE_TOKEN ? me.credentialId() : null),
                        StoredDevice::from)
                .map(page -> page.map(DeviceTokenVault::withoutToken));
    }

    @Funq("get-device")
    @RequiresScope("read:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.get", responseType = "io.nexodus.device.fetched")
    public Uni<Device> get(DeviceRef ref) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        return DeviceAccess.load(db, me, id, false).map(DeviceTokenVault::withoutToken);
    }

    /** Soft delete (watchers see a delete event; the public key is free again), then IPAM gets its addresses back. */
    @Funq("delete-device")
    @RequiresScope("write:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.delete", responseType = "io.nexodus.device.deleted")
    public Uni<Device> delete(DeviceRef ref) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        return db.withTransaction(conn -> DeviceAccess.load(conn, me, id, true)
                        .call(before -> removal.markDeleted(conn, before, "devices")))
                .call(removal::releaseAddresses)
                .map(before -> before.device().withBearerToken(null));
    }
}
