package io.nexodus.shared.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.mutiny.sqlclient.Row;
import java.util.UUID;

/** Nexodus {@code Organization} JSON (its internal/models/organization.go). */
public record Organization(
        @JsonProperty("id") UUID id,
        @JsonProperty("name") String name,
        @JsonProperty("description") String description) {

    public static final String COLUMNS = "o.id, o.name, o.description";

    public static Organization from(Row row) {
        return new Organization(row.getUUID("id"), row.getString("name"), row.getString("description"));
    }
}
