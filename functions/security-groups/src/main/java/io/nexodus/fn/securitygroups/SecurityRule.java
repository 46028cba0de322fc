package io.nexodus.fn.securitygroups;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Nexodus {@code SecurityRule} JSON (its internal/models/security_group.go): an allow rule for a protocol, a
 * destination port range ({@code 0-0} = any) and source (inbound) or destination (outbound) address ranges. Absent
 * members arrive as null and are stored as Go's zero values, so stored rules have every member but empty
 * {@code ip_ranges}.
 */
public record SecurityRule(
        @JsonProperty("ip_protocol") String ipProtocol,
        @JsonProperty("from_port") Long fromPort,
        @JsonProperty("to_port") Long toPort,
        @JsonProperty("ip_ranges") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> ipRanges) {

    /** Go's zero values for absent members. */
    SecurityRule withDefaults() {
        return new SecurityRule(ipProtocol == null ? "" : ipProtocol, fromPort == null ? 0 : fromPort,
                toPort == null ? 0 : toPort, ipRanges == null ? List.of() : ipRanges);
    }

    /** The {@code jsonb} a list of (defaulted) rules is stored as. */
    static JsonArray toJson(List<SecurityRule> rules) {
        JsonArray out = new JsonArray();
        for (SecurityRule r : rules) {
            out.add(new JsonObject().put("ip_protocol", r.ipProtocol()).put("from_port", r.fromPort())
                    .put("to_port", r.toPort()).put("ip_ranges", new JsonArray(new ArrayList<>(r.ipRanges()))));
        }
        return out;
    }

    static List<SecurityRule> fromJson(Object stored) {
        List<SecurityRule> rules = new ArrayList<>();
        if (stored instanceof JsonArray array) {
            for (int i = 0; i < array.size(); i++) {
                JsonObject r = array.getJsonObject(i);
                JsonArray ranges = r.getJsonArray("ip_ranges");
                List<String> ipRanges = new ArrayList<>();
                if (ranges != null) {
                    ranges.forEach(range -> ipRanges.add(String.valueOf(range)));
                }
                rules.add(new SecurityRule(r.getString("ip_protocol", ""), r.getLong("from_port", 0L),
                        r.getLong("to_port", 0L), ipRanges));
            }
        }
        return rules;
    }
}
