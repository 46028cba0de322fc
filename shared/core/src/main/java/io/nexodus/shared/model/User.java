package io.nexodus.shared.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.mutiny.sqlclient.Row;
import java.util.UUID;

/** Nexodus {@code User} JSON (its internal/models/user.go). */
public record User(
        @JsonProperty("id") UUID id,
        @JsonProperty("full_name") String fullName,
        @JsonProperty("picture") String picture,
        @JsonProperty("username") String username) {

    /** Columns to select for {@link #from(Row)}, given the users table alias. */
    public static String columns(String alias) {
        return alias + ".id, " + alias + ".full_name, " + alias + ".picture, " + alias + ".user_name";
    }

    public static User from(Row row) {
        return new User(row.getUUID("id"), row.getString("full_name"), row.getString("picture"),
                row.getString("user_name"));
    }
}
