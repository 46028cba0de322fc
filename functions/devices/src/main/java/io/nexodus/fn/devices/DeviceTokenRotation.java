package io.nexodus.fn.devices;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.devices.Inputs.DeviceRef;
import io.nexodus.shared.device.DeviceAccess;
import io.nexodus.shared.device.DeviceTokenVault;
import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.model.Device;
import io.nexodus.shared.store.Signals;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.UUID;

/**
 * {@code POST /api/devices/{id}/token} (beyond Nexodus, whose device tokens lived as long as the device):
 * the device's owner replaces its {@code DT:} token without registering it again. The old token is
 * refused from the next request on (tokens are looked up by hash on every request); the new one is
 * answered sealed for the device's key, as on registration, and expires after the lifetime the
 * registering key gives its devices' tokens ({@code device_token_ttl}; none: it never expires). An
 * expired token can be rotated too: that is how a device whose token expired gets back in.
 */
@OncePerEvent
@ApplicationScoped
public class DeviceTokenRotation {

    /** $1 device, $2/$3 the new token's hash and ciphertext, $4/$5 channel and signal; one statement with its signal. */
    private static final String ROTATE_SQL = "WITH d AS (UPDATE devices AS d SET token_hash = $2, token_ciphertext = $3,"
            + " token_expires_at = now() + (SELECT k.device_token_ttl_seconds FROM reg_keys k WHERE k.id = d.reg_key_id)"
            + " * interval '1 second' WHERE id = $1 AND deleted_at IS NULL RETURNING *)"
            + " SELECT " + StoredDevice.COLUMNS + ", pg_notify($4, $5) FROM d";

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    DeviceTokenVault tokens;

    @Inject
    Outbox outbox;

    @Funq("rotate-device-token")
    @RequiresScope("write:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.token.rotate", responseType = "io.nexodus.device.token.rotated")
    public Uni<Device> rotate(DeviceRef ref) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        if (!me.isUser()) {
            // a leaked device token must not be able to mint its own successor
            throw ApiErrors.forbidden("only the device's owner may rotate its token");
        }
        DeviceTokenVault.Issued fresh = tokens.issue(id);
        return db.withTransaction(conn -> DeviceAccess.load(conn, me, id, true)
                        .flatMap(before -> conn.preparedQuery(ROTATE_SQL)
                                .execute(Tuple.of(id, fresh.hash(), fresh.ciphertext(), Signals.CHANNEL,
                                        Signals.devices(before.device().vpcId())))
                                .map(rows -> StoredDevice.from(rows.iterator().next()))
                                // the event tells that it was rotated and until when; the token itself never
                                .call(after -> outbox.record(conn, "devices", new Change(EventType.DEVICE_TOKEN_ROTATED,
                                        id, after.organizationId(), after.device())))))
                .map(stored -> tokens.answer(stored, me));
    }
}
