package io.nexodus.fn.fetchpeers;

import io.nexodus.shared.error.ApiErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The body of a watch request, read and checked: {@code [{"kind","gt_revision","at_tail","options"}]}
 * (Nexodus's internal/handlers/events.go). On {@code POST /api/events} each watch names its VPC in
 * {@code options."vpc-id"} (or, for metadata, a {@code "device-id"}); on {@code POST /api/vpcs/{id}/events} the path
 * names it.
 */
record WatchRequest(List<Item> items) {

    static final int MAX_WATCHES = 16;

    /** The members of a watch (Nexodus's Watch in internal/handlers/events.go); {@code options} are free-form per kind. */
    static final java.util.Set<String> FIELDS = java.util.Set.of("kind", "gt_revision", "at_tail", "options");

    /** One watch as asked for; {@code deviceId} is set for metadata of one device. */
    record Item(WatchKind kind, long gtRevision, boolean atTail, UUID vpcId, UUID deviceId, String key,
            List<String> prefixes) {
    }

    static WatchRequest parse(String body, UUID pathVpcId) {
        JsonArray array;
        try {
            array = new JsonArray(body == null || body.isBlank() ? "[]" : body);
        } catch (RuntimeException e) {
            throw ApiErrors.validation("request json is invalid: expected an array of watches", "request");
        }
        if (array.isEmpty() || array.size() > MAX_WATCHES) {
            throw ApiErrors.invalidField("request", "1 to " + MAX_WATCHES + " watches");
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String field = "request[" + i + "]";
            if (!(array.getValue(i) instanceof JsonObject watch)) {
                throw ApiErrors.validation("invalid data in field", field);
            }
            for (String name : watch.fieldNames()) {
                if (!FIELDS.contains(name)) {
                    // as every other body: a misspelt field must not be silently dropped
                    throw ApiErrors.invalidField(field + "." + name, "unknown field");
                }
            }
            WatchKind kind = watch.getValue("kind") instanceof String k ? WatchKind.of(k) : null;
            if (kind == null) {
                throw ApiErrors.validation("invalid data in field", field + ".kind");
            }
            Object gt = watch.getValue("gt_revision");
            if (gt != null && (!(gt instanceof Number n) || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE)) {
                throw ApiErrors.validation("invalid data in field", field + ".gt_revision");
            }
            Object atTail = watch.getValue("at_tail");
            if (atTail != null && !(atTail instanceof Boolean)) {
                throw ApiErrors.validation("invalid data in field", field + ".at_tail");
            }
            Object optionsValue = watch.getValue("options");
            if (optionsValue != null && !(optionsValue instanceof JsonObject)) {
                throw ApiErrors.validation("invalid data in field", field + ".options");
            }
            JsonObject options = optionsValue == null ? new JsonObject() : (JsonObject) optionsValue;
            UUID deviceId = uuid(options, "device-id", field);
            UUID vpcId = pathVpcId != null ? pathVpcId : uuid(options, "vpc-id", field);
            if (vpcId == null && !(kind == WatchKind.DEVICE_METADATA && deviceId != null)) {
                throw ApiErrors.validation("field not present", field + ".options.vpc-id");
            }
            String key = options.getValue("key") instanceof String k && !k.isEmpty() ? k : null;
            List<String> prefixes = strings(options, "prefixes", field);
            if (prefixes.isEmpty()) {
                prefixes = strings(options, "prefix", field);
            }
            items.add(new Item(kind, gt == null ? 0 : ((Number) gt).longValue(), Boolean.TRUE.equals(atTail), vpcId,
                    deviceId, key, prefixes));
        }
        return new WatchRequest(items);
    }

    private static UUID uuid(JsonObject options, String name, String field) {
        Object value = options.getValue(name);
        if (value == null || "".equals(value)) {
            return null;
        }
        try {
            return UUID.fromString(String.valueOf(value));
        } catch (IllegalArgumentException e) {
            throw ApiErrors.validation("invalid data in field", field + ".options." + name);
        }
    }

    private static List<String> strings(JsonObject options, String name, String field) {
        Object value = options.getValue(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof JsonArray a && a.stream().allMatch(v -> v instanceof String)) {
            return a.stream().map(String.class::cast).toList();
        }
        throw ApiErrors.validation("invalid data in field", field + ".options." + name);
    }
}
