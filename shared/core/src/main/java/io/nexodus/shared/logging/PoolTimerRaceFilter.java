package io.nexodus.shared.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Keeps one known Vert.x defect out of the error log. When a database connection cannot be acquired (the
 * database is restarting), the SQL client's pool fails the caller at once, as it should, but leaves the
 * pool's connection-timeout timer armed; 30 s later the timer fails the same promise again and Vert.x
 * reports {@code IllegalStateException: Result is already complete} as an uncaught error, one per failed
 * acquisition (eclipse-vertx/vertx-sql-client#1706, open against 4.5.x; Quarkus 3.33 ships 4.5.27 and has no
 * setting for that timer). The caller already had its answer, so the line says nothing an operator can act
 * on, and an outage of a few seconds under load printed hundreds of them. Only that exact failure is
 * dropped (the exception type, its message and the pool's class in its stack); how many were dropped is
 * kept for the metrics.
 */
@LoggingFilter(name = "nexodus")
public final class PoolTimerRaceFilter implements Filter {

    private static final AtomicLong DROPPED = new AtomicLong();

    @Override
    public boolean isLoggable(LogRecord record) {
        if (isPoolTimerRace(record.getThrown())) {
            DROPPED.incrementAndGet();
            return false;
        }
        return true;
    }

    /** How many of those lines were kept out of the log since start. */
    public static long dropped() {
        return DROPPED.get();
    }

    static boolean isPoolTimerRace(Throwable thrown) {
        if (!(thrown instanceof IllegalStateException) || !"Result is already complete".equals(thrown.getMessage())) {
            return false;
        }
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (frame.getClassName().startsWith("io.vertx.sqlclient.impl.pool.SqlConnectionPool")) {
                return true;
            }
        }
        return false;
    }
}
