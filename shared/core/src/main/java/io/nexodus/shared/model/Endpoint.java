package io.nexodus.shared.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.core.json.JsonObject;

/** Nexodus {@code Endpoint}: where a device can be reached ({@code source} says how it was learned). */
public record Endpoint(@JsonProperty("source") String source, @JsonProperty("address") String address) {

    public JsonObject toJson() {
        return new JsonObject().put("source", source).put("address", address);
    }

    public static Endpoint from(JsonObject json) {
        return new Endpoint(json.getString("source"), json.getString("address"));
    }
}
