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
        AtomicInteger calls = new AtomicInteger();
        Uni<String> call = Uni.createFrom().deferred(() -> {
            calls.incrementAndGet();
            return Uni.createFrom().failure(status.withDescription("test").asRuntimeException());
        });
        assertThrows(RuntimeException.class, () -> retry.transientFailures(call).await().atMost(Duration.ofSeconds(5)));
        return calls.get();
    }

    @Test
    void transientFailuresAreTriedAgain() {
        assertEquals(4, attempts(Status.UNAVAILABLE));
        assertEquals(4, attempts(Status.DEADLINE_EXCEEDED));
    }

    @Test
    void answersAreNotTriedAgain() {
        assertEquals(1, attempts(Status.NOT_FOUND));
        assertEquals(1, attempts(Status.ALREADY_EXISTS));
        assertEquals(1, attempts(Status.INVALID_ARGUMENT));
        assertEquals(1, attempts(Status.RESOURCE_EXHAUSTED));
    }

    @Test
    void cidrsAreNormalizedLikeNexodusDid() {
        assertEquals("192.168.1.0/24", Cidrs.normalize("192.168.1.1/24"));
        assertEquals("200::/64", Cidrs.normalize("200:0::5/64"));
        assertEquals("00000000_0000_0000_0000_000000000000", IpamNamespaces.SHARED);
    }
}
