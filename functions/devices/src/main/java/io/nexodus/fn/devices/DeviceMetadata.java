package io.nexodus.fn.devices;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.mutiny.sqlclient.Row;
import java.util.UUID;

/** Nexodus {@code DeviceMetadata} JSON: any JSON value under a key of a device. */
public record DeviceMetadata(
        @JsonProperty("device_id") UUID deviceId,
        @JsonProperty("key") String key,
        @JsonProperty("value") Object value,
        @JsonProperty("revision") long revision) {

    static final String COLUMNS = "m.device_id, m.key, m.value, m.revision";

    static DeviceMetadata from(Row row) {
        Object value = row.getValue("value");
        if (value instanceof io.vertx.core.json.JsonObject o) {
            value = o.getMap();
        } else if (value instanceof io.vertx.core.json.JsonArray a) {
            value = a.getList();
        }
        return new DeviceMetadata(row.getUUID("device_id"), row.getString("key"), value, row.getInteger("revision"));
    }
}
