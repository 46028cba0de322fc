package io.nexodus.fn.devices;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Inputs of the device management operations. */
final class Inputs {

    private Inputs() {
    }

    record DeviceRef(@JsonProperty("id") String id) {
    }

    /** Metadata of a device ({@code key} absent: all keys, optionally those starting with one of {@code prefix}). */
    record MetadataRef(@JsonProperty("id") String id, @JsonProperty("key") String key,
            @JsonProperty("prefix") List<String> prefix) {
    }

    record PutMetadata(@JsonProperty("id") String id, @JsonProperty("key") String key,
            @JsonProperty("value") JsonNode value) {
    }

    /** Metadata of every device of a VPC. */
    record VpcMetadataRef(@JsonProperty("id") String id, @JsonProperty("key") String key,
            @JsonProperty("prefix") List<String> prefix) {
    }
}
