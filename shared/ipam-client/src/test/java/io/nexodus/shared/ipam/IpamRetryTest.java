package io.nexodus.shared.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which failures are tried again; the end-to-end calls are tested in ipam/. */
class IpamRetryTest {

    private final IpamRetry retry = new IpamRetry();

    IpamRetryTest() {
        retry.retries = 3;
        retry.backoff = Duration.ofMillis(1);
    }

    private int attempts(Status status) {
        return attempts(status, "test");
    }

    private int attempts(Status status, String description) {
        AtomicInteger calls = new AtomicInteger();
        Uni<String> call = Uni.createFrom().deferred(() -> {
            calls.incrementAndGet();
            return Uni.createFrom().failure(status.withDescription(description).asRuntimeException());
        });
        assertThrows(RuntimeException.class, () -> retry.transientFailures(call).await().atMost(Duration.ofSeconds(5)));
        return calls.get();
    }

    @Test
    void transientFailuresAreTriedAgain() {
        assertEquals(4, attempts(Status.UNAVAILABLE));
        assertEquals(4, attempts(Status.DEADLINE_EXCEEDED));
        assertEquals(4, attempts(Status.UNKNOWN, "channel closed"), "the connection went away mid-call");
    }

    @Test
    void answersAreNotTriedAgain() {
        assertEquals(1, attempts(Status.NOT_FOUND));
        assertEquals(1, attempts(Status.ALREADY_EXISTS));
        assertEquals(1, attempts(Status.INVALID_ARGUMENT));
        assertEquals(1, attempts(Status.RESOURCE_EXHAUSTED));
        assertEquals(1, attempts(Status.UNKNOWN, "something else"), "an unknown server failure is not retried");
    }

    @Test
    void cidrsAreNormalizedLikeNexodusDid() {
        assertEquals("192.168.1.0/24", Cidrs.normalize("192.168.1.1/24"));
        assertEquals("200::/64", Cidrs.normalize("200:0::5/64"));
        assertEquals("00000000_0000_0000_0000_000000000000", IpamNamespaces.SHARED);
    }

    @Test
    void reservedAddressesAreTheNetworkAndTheIpv4Broadcast() {
        assertEquals(java.util.Set.of("100.64.0.0", "100.127.255.255"), Cidrs.reservedAddresses("100.64.0.0/10"));
        assertEquals(java.util.Set.of("10.0.0.0", "10.0.0.255"), Cidrs.reservedAddresses("10.0.0.7/24"));
        assertEquals(java.util.Set.of("200::"), Cidrs.reservedAddresses("200::/64"));
    }
}
