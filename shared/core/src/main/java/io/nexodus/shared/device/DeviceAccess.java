package io.nexodus.shared.device;

import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.UUID;

/**
 * Who may act on one device (Nexodus's UpdateDevice, internal/handlers/device.go): its owner; the registration key
 * that created it; the device itself with its {@code DT:} token. Not even an organization owner may touch another
 * user's device. Another tenant gets 404; the same user's other key or device token gets 403.
 */
public final class DeviceAccess {

    private DeviceAccess() {
    }

    /**
     * The device's own parties: its owner, the registration key that created it, the device itself.
     * They may act on it, and only they see its token.
     */
    public static boolean isOwnParty(Caller caller, UUID deviceId, UUID ownerId, UUID regKeyId) {
        return switch (caller.kind()) {
            case USER_TOKEN -> caller.userId().equals(ownerId);
            case REG_KEY -> caller.credentialId().equals(regKeyId);
            case DEVICE_TOKEN -> caller.credentialId().equals(deviceId);
            case SERVICE, SCHEDULE -> false;
        };
    }

    public static void authorize(Caller caller, StoredDevice device) {
        if (!isOwnParty(caller, device.device().id(), device.device().ownerId(), device.regKeyId())) {
            if (caller.isUser() || !caller.userId().equals(device.device().ownerId())) {
                throw ApiErrors.notFound("device");
            }
            throw ApiErrors.forbidden("the token is for a different device");
        }
    }

    /** A live device the caller may act on, else 404/403. */
    public static Uni<StoredDevice> load(SqlClient db, Caller caller, UUID id, boolean lock) {
        return db.preparedQuery("SELECT " + StoredDevice.COLUMNS + " FROM devices d WHERE d.id = $1"
                        + " AND d.deleted_at IS NULL" + (lock ? " FOR UPDATE" : ""))
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiErrors.notFound("device");
                    }
                    StoredDevice device = StoredDevice.from(rows.iterator().next());
                    authorize(caller, device);
                    return device;
                });
    }
}
