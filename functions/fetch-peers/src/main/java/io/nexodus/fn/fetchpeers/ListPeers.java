package io.nexodus.fn.fetchpeers;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The peers of a VPC: list parameters plus {@code gt_revision} (only rows changed after it, tombstones included). */
public record ListPeers(@JsonProperty("id") String id, @JsonProperty("gt_revision") Long gtRevision,
        @JsonProperty("sort") String sort, @JsonProperty("filter") String filter, @JsonProperty("range") String range) {
}
