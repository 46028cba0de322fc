package io.nexodus.shared.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The JSON body of every error answer, in Nexodus's shapes (its internal/models/error.go):
 * {@code BaseError}, {@code ValidationError} (field, reason), {@code NotFoundError} (resource),
 * {@code ConflictsError} (id), {@code NotAllowedError} (reason), {@code InternalServerError} (trace_id).
 * One record with optional members covers them all; absent members are not serialized.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(
        @JsonProperty("error") String error,
        @JsonProperty("field") String field,
        @JsonProperty("reason") String reason,
        @JsonProperty("resource") String resource,
        @JsonProperty("id") String id,
        @JsonProperty("trace_id") String traceId) {

    public static ErrorBody of(String error) {
        return new ErrorBody(error, null, null, null, null, null);
    }
}
