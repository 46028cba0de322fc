package io.nexodus.fn.fetchpeers;

import io.quarkus.arc.Arc;
import java.util.List;
import java.util.UUID;

/** How many database reads the running feeds made: for the fan-out benchmark, which must see one per change. */
public final class FeedsProbe {

    public long deviceReads(UUID vpcId) {
        return Arc.container().instance(Feeds.class).get().reads(new WatchSpec(WatchKind.DEVICE, vpcId, "", List.of()));
    }
}
