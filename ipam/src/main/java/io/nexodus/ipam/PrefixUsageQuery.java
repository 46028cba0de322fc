package io.nexodus.ipam;

import io.nexodus.shared.ipam.api.v1.PrefixUsageResponse;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.util.List;

/** go-ipam's PrefixUsage: sizes capped at 2^31, network (and IPv4 broadcast) counted as acquired. */
@ApplicationScoped
public class PrefixUsageQuery {

    static final BigInteger CAP = BigInteger.ONE.shiftLeft(31);

    @Inject
    Pool pool;

    public Uni<PrefixUsageResponse> usage(String namespace, Cidr cidr) {
        return Prefixes.find(pool, namespace, cidr, false).flatMap(prefix -> {
            if (prefix == null) {
                // go-ipam answers INVALID_ARGUMENT here; NOT_FOUND with the same words is more useful
                return Uni.createFrom().failure(IpamFailure.prefixNotFound(cidr.toString()));
            }
            return pool.preparedQuery("SELECT count(*) FROM ipam_addresses WHERE prefix_id = $1")
                    .execute(Tuple.of(prefix.id()))
                    .flatMap(count -> ChildPrefixes.children(pool, prefix.id()).map(children -> {
                        long acquired = count.iterator().next().getLong(0);
                        List<Cidr> free = CidrBlocks.free(cidr, children);
                        BigInteger freeAddresses = free.stream().map(Cidr::size).reduce(BigInteger.ZERO, BigInteger::add);
                        PrefixUsageResponse.Builder usage = PrefixUsageResponse.newBuilder()
                                .setAvailableIps(cidr.size().min(CAP).longValue())
                                .setAcquiredIps(acquired + cidr.reservedCount())
                                .setAcquiredPrefixes(children.size())
                                .setAvailableSmallestPrefixes(acquired > 0 ? 0 : freeAddresses.min(CAP).longValue());
                        if (acquired == 0) {
                            free.forEach(block -> usage.addAvailablePrefixes(block.toString()));
                        }
                        return usage.build();
                    }));
        });
    }
}
