package io.nexodus.shared.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.core.json.JsonObject;

/** Nexodus {@code TunnelIP}: an address and the prefix it came from. */
public record TunnelIp(@JsonProperty("address") String address, @JsonProperty("cidr") String cidr) {

    public JsonObject toJson() {
        return new JsonObject().put("address", address).put("cidr", cidr);
    }

    public static TunnelIp from(JsonObject json) {
        return new TunnelIp(json.getString("address"), json.getString("cidr"));
    }
}
