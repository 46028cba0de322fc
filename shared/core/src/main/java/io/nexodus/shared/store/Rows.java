package io.nexodus.shared.store;

import io.nexodus.shared.error.ApiErrors;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import java.util.function.Function;

/** Reading the one row a lookup by id returns. */
public final class Rows {

    private Rows() {
    }

    /** The first row, mapped; none is a 404 naming {@code resource}. */
    public static <T> Function<RowSet<Row>, T> one(String resource, Function<Row, T> mapper) {
        return rows -> {
            if (rows.size() == 0) {
                throw ApiErrors.notFound(resource);
            }
            return mapper.apply(rows.iterator().next());
        };
    }
}
