package io.nexodus.shared.store;

import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Cursor;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.PreparedStatement;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one query in batches from a server-side cursor, each batch read when the one before has been taken
 * (a slow client slows the reads instead of the rows piling up in memory). A cursor lives in a transaction
 * (PostgreSQL closes it at the transaction's end), so the connection is held from the first read to the last
 * and given back, its read-only transaction rolled back, whichever way the stream ends: completed, failed, or
 * cancelled by a client that went away.
 */
public final class RowCursor {

    private RowCursor() {
    }

    /** What a cursor holds: a pooled connection, its transaction, and the statement prepared on it. */
    private record Open(SqlConnection connection, Transaction transaction, PreparedStatement statement) {
    }

    /** Within {@code limit}: a cursor over it fails with 503 before its first batch (see {@link CursorLimit}). */
    public static Multi<List<Row>> batches(Pool db, CursorLimit limit, String sql, Tuple args, int batch) {
        return Multi.createFrom().resourceFromUni(() -> open(db, limit, sql), open -> read(open, args, batch))
                .withFinalizer((Open open) -> close(open, limit));
    }

    private static Uni<Open> open(Pool db, CursorLimit limit, String sql) {
        if (!limit.tryOpen()) {
            return Uni.createFrom().failure(ApiErrors.unavailable("this replica already sends " + limit.max()
                    + " long lists; retry in a moment"));
        }
        return db.getConnection().flatMap(connection -> connection.begin()
                .flatMap(transaction -> connection.prepare(sql).map(statement -> new Open(connection, transaction, statement)))
                .onFailure().call(connection::close))
                .onFailure().invoke(limit::closed);
    }

    private static Multi<List<Row>> read(Open open, Tuple args, int batch) {
        Cursor cursor = open.statement().cursor(args);
        return Multi.createBy().repeating().uni(() -> cursor.read(batch)).whilst(rows -> cursor.hasMore())
                // a read that ends exactly at a batch boundary is followed by one that finds no row
                .filter(rows -> rows.size() > 0)
                .map(RowCursor::list);
    }

    /** The rows of one read, as a list (a RowSet can be iterated once per iterator, and has no list view). */
    static List<Row> list(RowSet<Row> rows) {
        List<Row> out = new ArrayList<>(rows.size());
        rows.forEach(out::add);
        return out;
    }

    /**
     * The statement is closed with the cursor, as a statement prepared by hand must be: the pool keeps the
     * physical connection for other requests, and with it anything left open on it.
     */
    private static Uni<Void> close(Open open, CursorLimit limit) {
        return open.statement().close().onFailure().recoverWithNull()
                .chain(() -> open.transaction().rollback()).onFailure().recoverWithNull()
                .eventually(() -> open.connection().close())
                .eventually(limit::closed);
    }
}
