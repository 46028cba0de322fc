package io.nexodus.shared.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/** The data of {@code io.nexodus.organization.member.removed}: who left which organization. */
public record Membership(@JsonProperty("organization_id") UUID organizationId, @JsonProperty("user_id") UUID userId) {
}
