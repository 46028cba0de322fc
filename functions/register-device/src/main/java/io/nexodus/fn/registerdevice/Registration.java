package io.nexodus.fn.registerdevice;

import io.nexodus.shared.model.Vpc;
import java.util.UUID;

/**
 * What the checks before allocation established: the VPC, the id the device will get (a single-use
 * key's pre-assigned id, else a fresh one), its security group and the registration key used, if any,
 * with what that key gives its devices (ephemeral; a token lifetime in seconds, null: none) and its
 * usage limit (null: unlimited), which a refusal names.
 */
record Registration(Vpc vpc, UUID deviceId, UUID securityGroupId, UUID regKeyId, boolean singleUseKey,
        Integer usageLimit, boolean ephemeral, Long tokenTtlSeconds) {
}
