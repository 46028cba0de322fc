package io.nexodus.fn.fetchpeers;

import java.util.List;
import java.util.UUID;

/**
 * What one watch follows: a kind, in the scope of a VPC, optionally narrowed (metadata by key or key
 * prefixes). Watches with equal specs share one {@link Feed}, hence one database read per change.
 *
 * @param filter    extra SQL conditions, parameters numbered from $4
 * @param filterArgs their values
 */
record WatchSpec(WatchKind kind, UUID vpcId, String filter, List<Object> filterArgs) {

    String key() {
        return kind.wireName() + "|" + vpcId + "|" + filter + "|" + filterArgs;
    }
}
