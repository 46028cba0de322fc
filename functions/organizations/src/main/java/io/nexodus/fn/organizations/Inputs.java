package io.nexodus.fn.organizations;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The inputs of the organization operations, as JSON (Funqy HTTP body, CloudEvent data, REST body). */
final class Inputs {

    private Inputs() {
    }

    /** {@code AddOrganization} (Nexodus's internal/models/organization.go). */
    @io.nexodus.shared.http.WritesResource(io.nexodus.shared.model.Organization.class)
    record AddOrganization(@JsonProperty("name") String name, @JsonProperty("description") String description) {
    }

    /** One organization by id. */
    record OrganizationRef(@JsonProperty("id") String id) {
    }

    /** One member of one organization. */
    record MemberRef(@JsonProperty("id") String id, @JsonProperty("uid") String uid) {
    }

    /** The members of one organization, with the usual list parameters. */
    record ListMembers(@JsonProperty("id") String id, @JsonProperty("sort") String sort,
            @JsonProperty("filter") String filter, @JsonProperty("range") String range) {
    }

    /** An organization's audit trail, with the usual list parameters and a time window (RFC 3339, inclusive). */
    record ListEvents(@JsonProperty("id") String id, @JsonProperty("sort") String sort,
            @JsonProperty("filter") String filter, @JsonProperty("range") String range,
            @JsonProperty("since") String since, @JsonProperty("until") String until) {
    }
}
