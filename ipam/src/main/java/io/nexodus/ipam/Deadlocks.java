package io.nexodus.ipam;

import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * PostgreSQL may still end a statement or transaction with a deadlock (40P01) or a serialization failure
 * (40001) where locks meet in ways one lock order cannot rule out (foreign-key checks, index pages). Such
 * a statement was rolled back whole and decided nothing, so it is run again here, a few times with a short
 * jittered pause, and no client ever sees one. Only whole statements or whole transactions are retried:
 * never an operation whose earlier statements have committed.
 */
final class Deadlocks {

    static final int ATTEMPTS = 5;

    private Deadlocks() {
    }

    static <T> Uni<T> retried(Supplier<Uni<T>> statement) {
        return Uni.createFrom().<T>deferred(statement::get)
                .onFailure(Deadlocks::isRetryable).retry()
                .withBackOff(Duration.ofMillis(5), Duration.ofMillis(200)).withJitter(0.5).atMost(ATTEMPTS);
    }

    static boolean isRetryable(Throwable failure) {
        return failure instanceof PgException e && ("40P01".equals(e.getSqlState()) || "40001".equals(e.getSqlState()));
    }
}
