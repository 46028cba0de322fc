package io.nexodus.shared.database;

import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.Set;

/**
 * Tells a database that is away from a failure that is a bug. A database that is away (restarting, failing
 * over, out of connection slots, unreachable, no pooled connection free in time) decided nothing the caller could rely on, so the answer is
 * "retry later": HTTP 503 with {@code Retry-After} in the functions, gRPC {@code UNAVAILABLE} in the IPAM
 * server. Judged by SQLSTATE and exception type, never by message text (messages change between versions
 * and are localised by the server's {@code lc_messages}).
 */
public final class DatabaseFailures {

    /**
     * {@code 57P01} admin_shutdown, {@code 57P02} crash_shutdown, {@code 57P03} cannot_connect_now (the
     * database system is starting up, or in recovery after a crash), {@code 53300} too_many_connections.
     */
    private static final Set<String> AWAY_STATES = Set.of("57P01", "57P02", "57P03", "53300");

    /** How deep to look through wrappers (Mutiny, Vert.x, gRPC) for the database's own failure. */
    private static final int MAX_CAUSE_DEPTH = 10;

    private DatabaseFailures() {
    }

    /** True when {@code failure}, or a cause of it, says the database is away rather than that a statement failed. */
    public static boolean isUnavailable(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++) {
            if (t instanceof PgException pg) {
                return isAwayState(pg.getSqlState());
            }
            // the connection went away under a statement, or could not be made or kept (refused, reset, timed out)
            if (t instanceof ClosedConnectionException || t instanceof IOException || isWriteOnClosedConnection(t)
                    || isPoolTimeout(t)) {
                return true;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return false;
    }

    /**
     * A statement sent on a connection the client already knows is closed: Vert.x fails it with a bare
     * {@link NoStackTraceThrowable}, a type it uses for many things, so here (only) its own fixed wording
     * decides. It is the client library's constant, not the server's localised text.
     */
    private static boolean isWriteOnClosedConnection(Throwable t) {
        return t instanceof NoStackTraceThrowable && String.valueOf(t.getMessage()).startsWith(NOT_ACTIVE);
    }

    private static final String NOT_ACTIVE = "Connection is not active now";

    /**
     * No connection of the pool came free within its wait: out of database capacity for now, like
     * {@code 53300} too_many_connections. Vert.x fails the acquisition with one plain {@link VertxException}
     * instance whose text is its own constant (private in {@code SqlConnectionPool}), so, as above, that text
     * decides, and only on that exact type.
     */
    private static boolean isPoolTimeout(Throwable t) {
        return t.getClass() == VertxException.class && POOL_TIMEOUT.equals(t.getMessage());
    }

    private static final String POOL_TIMEOUT = "Timeout waiting for connection";

    /** Class {@code 08} (connection exception) and the shutdown, start-up and connection-limit states. */
    public static boolean isAwayState(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || AWAY_STATES.contains(sqlState));
    }
}
