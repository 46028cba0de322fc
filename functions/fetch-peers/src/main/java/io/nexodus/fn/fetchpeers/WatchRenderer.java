package io.nexodus.fn.fetchpeers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.shared.device.DeviceTokenVault;
import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.model.Vpc;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Watch events as JSON (Nexodus's internal/models/watch_event.go):
 * {@code {"kind":…,"type":"change"|"delete"|"tail"|"error","value":…}}, the value being the same JSON as the REST GET
 * of the resource.
 */
@ApplicationScoped
public class WatchRenderer {

    @Inject
    ObjectMapper json;

    FeedRow render(WatchKind kind, Row row) {
        boolean deleted = row.getBoolean("deleted");
        long revision = row.getInteger("revision");
        return switch (kind) {
            case DEVICE -> {
                StoredDevice stored = StoredDevice.from(row);
                yield new FeedRow(revision, deleted, stored.device().id().toString(),
                        event(kind, deleted, DeviceTokenVault.withoutToken(stored)));
            }
            case SECURITY_GROUP -> new FeedRow(revision, deleted, row.getUUID("id").toString(),
                    event(kind, deleted, securityGroup(row)));
            case DEVICE_METADATA -> new FeedRow(revision, deleted, row.getUUID("device_id") + "/" + row.getString("key"),
                    event(kind, deleted, metadata(row)));
            case VPC -> new FeedRow(revision, deleted, row.getUUID("id").toString(), event(kind, deleted, Vpc.from(row)));
        };
    }


    String tail(WatchKind kind) {
        return "{\"kind\":\"" + kind.wireName() + "\",\"type\":\"tail\"}\n";
    }

    String error(String kind, String message) {
        return new JsonObject().put("kind", kind).put("type", "error")
                .put("value", new JsonObject().put("error", message)).encode() + "\n";
    }

    private String event(WatchKind kind, boolean deleted, Object value) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("kind", kind.wireName());
        event.put("type", deleted ? "delete" : "change");
        event.put("value", value);
        try {
            return json.writeValueAsString(event) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a watch event", e);
        }
    }

    /** Nexodus {@code SecurityGroup} JSON; rule lists are left out when empty. */
    static Map<String, Object> securityGroup(Row row) {
        Map<String, Object> sg = new LinkedHashMap<>();
        sg.put("id", row.getUUID("id"));
        sg.put("description", row.getString("description"));
        sg.put("vpc_id", row.getUUID("vpc_id"));
        JsonArray inbound = (JsonArray) row.getValue("inbound_rules");
        JsonArray outbound = (JsonArray) row.getValue("outbound_rules");
        if (inbound != null && !inbound.isEmpty()) {
            sg.put("inbound_rules", inbound.getList());
        }
        if (outbound != null && !outbound.isEmpty()) {
            sg.put("outbound_rules", outbound.getList());
        }
        sg.put("revision", row.getInteger("revision"));
        return sg;
    }

    static Map<String, Object> metadata(Row row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_id", row.getUUID("device_id"));
        m.put("key", row.getString("key"));
        Object value = row.getValue("value");
        m.put("value", value instanceof JsonObject o ? o.getMap() : value instanceof JsonArray a ? a.getList() : value);
        m.put("revision", row.getInteger("revision"));
        return m;
    }
}
