package io.nexodus.fn.devices;

import io.nexodus.shared.events.OncePerEvent;
import io.nexodus.fn.devices.Inputs.MetadataRef;
import io.nexodus.fn.devices.Inputs.PutMetadata;
import io.nexodus.fn.devices.Inputs.VpcMetadataRef;
import io.nexodus.shared.access.Access;
import io.nexodus.shared.device.DeviceAccess;
import io.nexodus.shared.error.ApiErrors;
import io.nexodus.shared.http.Ids;
import io.nexodus.shared.identity.Caller;
import io.nexodus.shared.identity.CurrentCaller;
import io.nexodus.shared.store.LikePatterns;
import io.nexodus.shared.store.Signals;
import io.nexodus.shared.events.Change;
import io.nexodus.shared.events.EventType;
import io.nexodus.shared.events.Outbox;
import io.nexodus.shared.identity.RequiresScope;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Device metadata: any JSON value under a key of a device (nexd keeps its relay settings under
 * {@code relay}). Written by the device's owner, its registration key or the device itself; every
 * change bumps the row's revision and wakes the VPC's metadata watchers.
 */
@OncePerEvent
@ApplicationScoped
public class Metadata {

    static final int MAX_KEY = 255;
    static final int MAX_VALUE_BYTES = 64 * 1024;

    /** The emitter named in its events' {@code source}. */
    private static final String FUNCTION = "devices";

    /** The data of {@code device.metadata.deleted}: which key went, or (null) all of the device's keys. */
    record MetadataDeleted(@com.fasterxml.jackson.annotation.JsonProperty("device_id") UUID deviceId,
            @com.fasterxml.jackson.annotation.JsonProperty("key") String key) {
    }

    @Inject
    Outbox outbox;

    @Inject
    Pool db;

    @Inject
    CurrentCaller caller;

    @Inject
    Access access;

    @Funq("list-device-metadata")
    @RequiresScope("read:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.metadata.list", responseType = "io.nexodus.device.metadata.listed")
    public Uni<List<DeviceMetadata>> list(MetadataRef ref) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        return DeviceAccess.load(db, me, id, false).flatMap(device -> query("m.device_id = $1", id, null, ref.prefix()));
    }

    @Funq("get-device-metadata")
    @RequiresScope("read:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.metadata.get", responseType = "io.nexodus.device.metadata.fetched")
    public Uni<DeviceMetadata> get(MetadataRef ref) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        String key = key(ref.key());
        return DeviceAccess.load(db, me, id, false).flatMap(device -> query("m.device_id = $1", id, key, null))
                .map(found -> {
                    if (found.isEmpty()) {
                        throw ApiErrors.notFound("device metadata");
                    }
                    return found.get(0);
                });
    }

    /** Upsert; a deleted key comes back to life with a new revision. */
    @Funq("put-device-metadata")
    @RequiresScope("write:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.metadata.put", responseType = "io.nexodus.device.metadata.changed")
    public Uni<DeviceMetadata> put(PutMetadata input) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(input == null ? null : input.id(), "id");
        String key = key(input.key());
        String value = input.value() == null ? "null" : input.value().toString();
        if (value.length() > MAX_VALUE_BYTES) {
            throw ApiErrors.invalidField("value", "larger than " + MAX_VALUE_BYTES + " bytes");
        }
        return db.withTransaction(conn -> DeviceAccess.load(conn, me, id, false)
                .flatMap(device -> conn.preparedQuery("INSERT INTO device_metadata AS m (device_id, key, value)"
                                + " VALUES ($1, $2, $3::text::jsonb) ON CONFLICT (device_id, key) DO UPDATE SET value = excluded.value,"
                                + " deleted_at = NULL RETURNING " + DeviceMetadata.COLUMNS)
                        .execute(Tuple.of(id, key, value))
                        .call(rows -> Signals.notify(conn, Signals.metadata(device.device().vpcId())))
                        .map(rows -> DeviceMetadata.from(rows.iterator().next()))
                        .call(metadata -> outbox.record(conn, FUNCTION, new Change(EventType.DEVICE_METADATA_UPDATED, id,
                                device.organizationId(), metadata)))));
    }

    /** Deletes one key, or all keys of the device when {@code key} is absent. */
    @Funq("delete-device-metadata")
    @RequiresScope("write:devices")
    @CloudEventMapping(trigger = "io.nexodus.device.metadata.delete", responseType = "io.nexodus.device.metadata.deleted")
    public Uni<Void> delete(MetadataRef ref) {
        Caller me = caller.get();
        UUID id = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        String key = ref.key() == null ? null : key(ref.key());
        return db.withTransaction(conn -> DeviceAccess.load(conn, me, id, false)
                .flatMap(device -> conn.preparedQuery("UPDATE device_metadata SET deleted_at = now() WHERE device_id = $1"
                                + " AND deleted_at IS NULL AND ($2::text IS NULL OR key = $2)")
                        .execute(Tuple.of(id, key))
                        .flatMap(rows -> {
                            if (key != null && rows.rowCount() == 0) {
                                throw ApiErrors.notFound("device metadata");
                            }
                            return rows.rowCount() == 0 ? Uni.createFrom().voidItem()
                                    : Signals.notify(conn, Signals.metadata(device.device().vpcId()))
                                            .call(() -> outbox.record(conn, FUNCTION, new Change(
                                                    EventType.DEVICE_METADATA_DELETED, id, device.organizationId(),
                                                    new MetadataDeleted(id, key))));
                        })));
    }

    /** {@code GET /api/vpcs/{id}/metadata}: every device's metadata in a VPC the caller can read. */
    @Funq("list-vpc-metadata")
    @RequiresScope("read:organizations")
    @CloudEventMapping(trigger = "io.nexodus.vpc.metadata.list", responseType = "io.nexodus.vpc.metadata.listed")
    public Uni<List<DeviceMetadata>> listVpc(VpcMetadataRef ref) {
        Caller me = caller.get();
        UUID vpcId = Ids.pathUuid(ref == null ? null : ref.id(), "id");
        String key = ref.key() == null || ref.key().isEmpty() ? null : key(ref.key());
        return access.requireVpcMember(db, me, vpcId, "vpc")
                .flatMap(org -> query("m.device_id IN (SELECT id FROM devices WHERE vpc_id = $1 AND deleted_at IS NULL)",
                        vpcId, key, ref.prefix()));
    }

    private Uni<List<DeviceMetadata>> query(String scope, UUID id, String key, List<String> prefixes) {
        List<Object> args = new ArrayList<>(List.of(id));
        StringBuilder sql = new StringBuilder("SELECT " + DeviceMetadata.COLUMNS + " FROM device_metadata m WHERE ")
                .append(scope).append(" AND m.deleted_at IS NULL");
        if (key != null) {
            args.add(key);
            sql.append(" AND m.key = $").append(args.size());
        }
        if (prefixes != null && !prefixes.isEmpty()) {
            // key LIKE 'p%' OR-ed
            args.add(LikePatterns.startingWith(prefixes));
            sql.append(" AND m.key LIKE ANY ($").append(args.size()).append(")");
        }
        sql.append(" ORDER BY m.device_id, m.key");
        return db.preparedQuery(sql.toString()).execute(Tuple.from(args)).map(rows -> {
            List<DeviceMetadata> out = new ArrayList<>();
            rows.forEach(row -> out.add(DeviceMetadata.from(row)));
            return out;
        });
    }

    private static String key(String key) {
        if (key == null || key.isEmpty()) {
            throw ApiErrors.badPathParameter("key");
        }
        if (key.length() > MAX_KEY) {
            throw ApiErrors.invalidField("key", "longer than " + MAX_KEY + " characters");
        }
        return key;
    }
}
