package io.nexodus.fn.users;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The inputs of the user operations, as JSON (Funqy HTTP body, CloudEvent data, REST path). */
final class Inputs {

    private Inputs() {
    }

    /** One user by id; {@code me} names the caller. */
    record UserRef(@JsonProperty("id") String id) {
    }

    /** A user's membership in one organization. */
    record UserMembershipRef(@JsonProperty("id") String id, @JsonProperty("organization") String organization) {
    }
}
