package io.nexodus.shared.logging;

import io.quarkus.logging.LoggingFilter;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Keeps two known error lines that carry nothing an operator can act on out of the log; only those exact
 * failures are dropped, and how many were dropped is counted.
 * <ul>
 * <li><b>The Vert.x pool's timer race.</b> When a database connection cannot be acquired (the database is
 * restarting), the SQL client's pool fails the caller at once, as it should, but leaves the pool's
 * connection-timeout timer armed; 30 s later the timer fails the same promise again and Vert.x reports
 * {@code IllegalStateException: Result is already complete} as an uncaught error, one per failed acquisition
 * (eclipse-vertx/vertx-sql-client#1706, open against 4.5.x; Quarkus 3.33 ships 4.5.27 and has no setting for
 * that timer). The caller already had its answer, and an outage of a few seconds under load printed hundreds.
 * Recognised by the exception type, its message and the pool's class in its stack.</li>
 * <li><b>A client that went away during a streamed list</b> ({@code shared.http.StreamedLists}). RESTEasy
 * Reactive logs any failure after a streamed answer's headers were sent as an ERROR with its stack
 * ("impossible to send it to client"), a closed connection included: a console tab closed while a long list
 * loads is not an error of the server. Recognised by RESTEasy's streaming handler as the logger and a closed
 * connection (an {@code IOException} such as "Broken pipe", or Vert.x's {@code HttpClosedException}) as the
 * cause; any other failure there (the database's, a bug) stays in the log.</li>
 * </ul>
 */
@LoggingFilter(name = "nexodus")
public final class KnownNoiseFilter implements Filter {

    private static final String STREAMING_HANDLER = "org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler";

    private static final AtomicLong DROPPED = new AtomicLong();

    @Override
    public boolean isLoggable(LogRecord record) {
        if (isPoolTimerRace(record.getThrown()) || isClientGoneMidStream(record)) {
            DROPPED.incrementAndGet();
            return false;
        }
        return true;
    }

    /** How many lines were kept out of the log since start. */
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

    static boolean isClientGoneMidStream(LogRecord record) {
        return STREAMING_HANDLER.equals(record.getLoggerName())
                && (record.getThrown() instanceof IOException || record.getThrown() instanceof HttpClosedException);
    }
}
