package io.nexodus.shared.logging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class KnownNoiseFilterTest {

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
        KnownNoiseFilter filter = new KnownNoiseFilter();
        long before = KnownNoiseFilter.dropped();
        assertFalse(filter.isLoggable(uncaught(thrownAt("Result is already complete",
                "io.vertx.sqlclient.impl.pool.SqlConnectionPool"))));
        assertTrue(KnownNoiseFilter.dropped() > before, "counted");

        // the same failure elsewhere is a bug of ours and stays in the log, as does anything else
        assertTrue(filter.isLoggable(uncaught(thrownAt("Result is already complete", "io.nexodus.fn.Something"))));
        assertTrue(filter.isLoggable(uncaught(thrownAt("other", "io.vertx.sqlclient.impl.pool.SqlConnectionPool"))));
        assertTrue(filter.isLoggable(uncaught(new RuntimeException("Result is already complete"))));
        assertTrue(filter.isLoggable(new LogRecord(Level.SEVERE, "no exception")));
    }

    private static LogRecord streamingFailure(String logger, Throwable thrown) {
        LogRecord record = new LogRecord(Level.SEVERE, "Exception in SSE server handling, impossible to send it to client");
        record.setLoggerName(logger);
        record.setThrown(thrown);
        return record;
    }

    @Test
    void dropsAStreamedAnswerWhoseClientWentAwayOnly() {
        KnownNoiseFilter filter = new KnownNoiseFilter();
        String handler = "org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler";
        long before = KnownNoiseFilter.dropped();
        assertFalse(filter.isLoggable(streamingFailure(handler, new java.io.IOException("Broken pipe"))));
        assertFalse(filter.isLoggable(streamingFailure(handler, new io.vertx.core.http.HttpClosedException("Connection was closed"))));
        assertTrue(KnownNoiseFilter.dropped() >= before + 2, "counted");

        // a failure of the database or a bug in the middle of a stream stays, as does a broken pipe elsewhere
        assertTrue(filter.isLoggable(streamingFailure(handler, new IllegalStateException("Timeout waiting for connection"))));
        assertTrue(filter.isLoggable(streamingFailure("io.nexodus.fn.Something", new java.io.IOException("Broken pipe"))));
    }
}
