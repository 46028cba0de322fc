package io.nexodus.shared.logging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class PoolTimerRaceFilterTest {

    private static LogRecord uncaught(Throwable thrown) {
        LogRecord record = new LogRecord(Level.SEVERE, "Uncaught exception received by Vert.x");
        record.setThrown(thrown);
        return record;
    }

    private static IllegalStateException thrownAt(String message, String className) {
        IllegalStateException e = new IllegalStateException(message);
        e.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 90),
            new StackTraceElement(className, "lambda$execute$3", "SqlConnectionPool.java", 216)});
        return e;
    }

    @Test
    void dropsOnlyThePoolsDoubleCompletion() {
        PoolTimerRaceFilter filter = new PoolTimerRaceFilter();
        long before = PoolTimerRaceFilter.dropped();
        assertFalse(filter.isLoggable(uncaught(thrownAt("Result is already complete",
                "io.vertx.sqlclient.impl.pool.SqlConnectionPool"))));
        assertTrue(PoolTimerRaceFilter.dropped() > before, "counted");

        // the same failure elsewhere is a bug of ours and stays in the log, as does anything else
        assertTrue(filter.isLoggable(uncaught(thrownAt("Result is already complete", "io.nexodus.fn.Something"))));
        assertTrue(filter.isLoggable(uncaught(thrownAt("other", "io.vertx.sqlclient.impl.pool.SqlConnectionPool"))));
        assertTrue(filter.isLoggable(uncaught(new RuntimeException("Result is already complete"))));
        assertTrue(filter.isLoggable(new LogRecord(Level.SEVERE, "no exception")));
    }
}
