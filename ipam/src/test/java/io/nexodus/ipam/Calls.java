package io.nexodus.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Status;
import io.nexodus.shared.ipam.IpamErrors;
import io.smallrye.mutiny.Uni;
import java.time.Duration;

/** Waits for client calls in tests, and checks how they failed. */
final class Calls {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Calls() {
    }

    static <T> T await(Uni<T> call) {
        return call.await().atMost(TIMEOUT);
    }

    /** The call fails with {@code code} and a message containing {@code token}. */
    static void assertFails(Status.Code code, String token, Uni<?> call) {
        try {
            Object result = call.await().atMost(TIMEOUT);
            fail("expected " + code + " but got " + result);
        } catch (RuntimeException e) {
            Status status = IpamErrors.status(e);
            assertEquals(code, status.getCode(), () -> "status of " + e);
            assertTrue(status.getDescription() != null && status.getDescription().contains(token),
                    () -> "message \"" + status.getDescription() + "\" lacks \"" + token + "\"");
        }
    }
}
