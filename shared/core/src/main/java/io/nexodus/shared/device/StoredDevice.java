package io.nexodus.shared.device;

import io.nexodus.shared.model.Device;
import io.nexodus.shared.model.Endpoint;
import io.nexodus.shared.model.TunnelIp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * A device row as the functions need it: the JSON view, plus what is not shown (its organization,
 * the registration key that created it, its token under the server key, whether it is deleted).
 */
public record StoredDevice(Device device, UUID organizationId, UUID regKeyId, byte[] tokenCiphertext, boolean deleted) {

    /** Columns for {@link #from(Row)}, devices aliased {@code d}. */
    public static final String COLUMNS = "d.id, d.owner_id, d.vpc_id, d.organization_id, d.public_key, d.allowed_ips,"
            + " d.ipv4_tunnel_ips, d.ipv6_tunnel_ips, d.advertise_cidrs, d.relay, d.symmetric_nat, d.hostname, d.os,"
            + " d.endpoints, d.revision, d.security_group_id, d.online, d.online_at, d.reg_key_id, d.token_ciphertext,"
            + " d.ephemeral, d.token_expires_at, d.deleted_at IS NOT NULL AS deleted";

    public static StoredDevice from(Row row) {
        Device device = new Device(row.getUUID("id"), row.getUUID("owner_id"), row.getUUID("vpc_id"),
                row.getString("public_key"), strings(row, "allowed_ips"),
                objects(row.getJsonArray("ipv4_tunnel_ips"), TunnelIp::from),
                objects(row.getJsonArray("ipv6_tunnel_ips"), TunnelIp::from), strings(row, "advertise_cidrs"),
                row.getBoolean("relay"), row.getBoolean("symmetric_nat"), row.getString("hostname"),
                row.getString("os"), objects(row.getJsonArray("endpoints"), Endpoint::from), row.getInteger("revision"),
                row.getUUID("security_group_id"), row.getBoolean("online"), row.getOffsetDateTime("online_at"), null,
                row.getBoolean("ephemeral"), row.getOffsetDateTime("token_expires_at"));
        var ciphertext = row.getBuffer("token_ciphertext");
        return new StoredDevice(device, row.getUUID("organization_id"), row.getUUID("reg_key_id"),
                ciphertext == null ? null : ciphertext.getBytes(), row.getBoolean("deleted"));
    }

    private static List<String> strings(Row row, String column) {
        String[] values = row.getArrayOfStrings(column);
        return values == null ? List.of() : Arrays.asList(values);
    }

    private static <T> List<T> objects(JsonArray array, Function<JsonObject, T> mapper) {
        return array == null ? List.of() : array.stream().map(o -> mapper.apply((JsonObject) o)).toList();
    }
}
