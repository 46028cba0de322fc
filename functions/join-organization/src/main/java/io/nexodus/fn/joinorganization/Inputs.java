package io.nexodus.fn.joinorganization;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The inputs of the invitation operations, as JSON (Funqy HTTP body, CloudEvent data, REST body or path). */
final class Inputs {

    private Inputs() {
    }

    /** {@code AddInvitation} (Nexodus's internal/models/invitation.go): exactly one of {@code user_id} and {@code email}. */
    @io.nexodus.shared.http.WritesResource(Invitation.class)
    record AddInvitation(@JsonProperty("organization_id") String organizationId,
            @JsonProperty("user_id") String userId, @JsonProperty("email") String email,
            @JsonProperty("roles") List<String> roles) {
    }

    /** One invitation by id. */
    record InvitationRef(@JsonProperty("id") String id) {
    }
}
