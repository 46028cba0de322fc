package io.nexodus.shared.database;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The rule on each kind of failure; the crash it exists for is {@code tests/DatabaseCrashTest}. */
class DatabaseFailuresTest {

    private static PgException state(String sqlState, String message) {
        return new PgException(message, "FATAL", sqlState, null);
    }

    @Test
    void aServerStartingUpShuttingDownOrFullIsAway() {
        for (String away : new String[] {"57P01", "57P02", "57P03", "53300", "08006", "08001", "08P01"}) {
            assertTrue(DatabaseFailures.isUnavailable(state(away, "whatever the server's language")), away);
        }
    }

    @Test
    void aStatementThatFailedIsNotAway() {
        for (String bug : new String[] {"23505", "23503", "42P01", "40P01", "57014", "53100"}) {
            // even when the message mentions a connection: the SQLSTATE decides
            assertFalse(DatabaseFailures.isUnavailable(state(bug, "connection closed")), bug);
        }
        assertFalse(DatabaseFailures.isUnavailable(new IllegalStateException("connection is closed")));
        assertFalse(DatabaseFailures.isUnavailable(null));
    }

    @Test
    void aLostOrRefusedConnectionIsAwayWhereverItIsWrapped() {
        assertTrue(DatabaseFailures.isUnavailable(ClosedConnectionException.INSTANCE));
        assertTrue(DatabaseFailures.isUnavailable(new ConnectException("refused")));
        assertTrue(DatabaseFailures.isUnavailable(new CompletionException(new RuntimeException(state("57P03", "")))));
        // what Vert.x answers a statement sent on a connection it already knows is closed
        assertTrue(DatabaseFailures.isUnavailable(new NoStackTraceThrowable(
                "Connection is not active now, current status: CLOSED")));
        assertFalse(DatabaseFailures.isUnavailable(new NoStackTraceThrowable("something else")));
    }

    /**
     * Every connection of the pool busy for longer than its wait: the replica is out of database capacity for the
     * moment, as with too_many_connections, and "retry later" is the answer, not a 500. The fleet simulator's
     * 100,000-device run met it (docs/benchmarks.md, "A fleet from its own process"): stream opens answered 500.
     * This is the very exception Vert.x's SQL pool fails an acquisition with (a no-stack-trace
     * {@code VertxException}, one instance, in {@code SqlConnectionPool}); other VertxExceptions stay bugs.
     */
    @Test
    void aPoolWithNoConnectionFreeInTimeIsAwayNotABug() {
        io.vertx.core.VertxException poolTimeout = new io.vertx.core.VertxException("Timeout waiting for connection", true);
        assertTrue(DatabaseFailures.isUnavailable(poolTimeout));
        assertTrue(DatabaseFailures.isUnavailable(new CompletionException(poolTimeout)));
        assertFalse(DatabaseFailures.isUnavailable(new io.vertx.core.VertxException("something else", true)));
    }
}
