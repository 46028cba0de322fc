package io.nexodus.testing;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads of the database under test that tests make to check what was (not) stored. */
public final class TestDb {

    private TestDb() {
    }

    /** The single number a {@code SELECT count(*) …} with {@code $1…} parameters answers. */
    public static long count(Pool db, String sql, Object... args) {
        return db.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely().iterator().next().getLong(0);
    }
}
