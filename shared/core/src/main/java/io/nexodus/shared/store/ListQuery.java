package io.nexodus.shared.store;

import io.nexodus.shared.error.ApiErrors;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies {@link ListParams} to a SQL list query. Unlike Nexodus, which pasted filter keys into SQL as
 * column names, only the columns a route declares are accepted (anything else is a 400 naming
 * {@code filter} or {@code sort}). As in Nexodus, a parameter that is not valid JSON is ignored.
 */
public final class ListQuery {

    private final Map<String, String> columns;
    private final String orderBy;
    private final Map<String, Object> filters;
    private final Long offset;
    private final Long limit;

    private ListQuery(Map<String, String> columns, String orderBy, Map<String, Object> filters, Long offset,
            Long limit) {
        this.columns = columns;
        this.orderBy = orderBy;
        this.filters = filters;
        this.offset = offset;
        this.limit = limit;
    }

    /**
     * @param columns     the sortable/filterable names (Nexodus's column names) mapped to SQL expressions
     * @param defaultSort the name to sort by when {@code sort} is absent
     */
    public static ListQuery of(ListParams params, Map<String, String> columns, String defaultSort) {
        ListParams p = params == null ? ListParams.NONE : params;
        String orderBy = columns.get(defaultSort) + " ASC";
        JsonArray sort = array(p.sort());
        if (sort != null && sort.size() == 2 && sort.getValue(0) instanceof String field) {
            String expr = columns.get(field);
            if (expr == null) {
                throw ApiErrors.invalidField("sort", "cannot sort by " + field);
            }
            orderBy = expr + ("DESC".equalsIgnoreCase(String.valueOf(sort.getValue(1))) ? " DESC" : " ASC");
        }
        Map<String, Object> filters = new LinkedHashMap<>();
        JsonObject filter = object(p.filter());
        if (filter != null) {
            filter.forEach(e -> filters.put(e.getKey(), e.getValue()));
        }
        Long offset = null;
        Long limit = null;
        JsonArray range = array(p.range());
        if (range != null && range.size() == 2 && range.getValue(0) instanceof Number start
                && range.getValue(1) instanceof Number end) {
            // bounded so that end - start + 1 cannot overflow (a 500 once): nobody pages past 2^31 rows
            if (!isIndex(start) || !isIndex(end) || end.longValue() < start.longValue()) {
                throw ApiErrors.invalidField("range", "expected [start,end] with 0 <= start <= end <= " + Integer.MAX_VALUE);
            }
            offset = start.longValue();
            limit = end.longValue() - start.longValue() + 1;
        }
        return new ListQuery(columns, orderBy, filters, offset, limit);
    }

    private static boolean isIndex(Number n) {
        return (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte)
                && n.longValue() >= 0 && n.longValue() <= Integer.MAX_VALUE;
    }

    /** Takes a filter key that is not a column (e.g. {@code roles} on organizations) out of the filter. */
    public Object takeFilter(String key) {
        return filters.remove(key);
    }

    /**
     * Runs {@code SELECT <select> <from> [AND filters] ORDER BY … [LIMIT … OFFSET …]}, and when a range was
     * asked for, a count of the same rows. {@code from} must end in a WHERE clause (use {@code WHERE true}).
     */
    public <T> Uni<Page<T>> run(SqlClient db, String select, String from, List<Object> args,
            java.util.function.Function<Row, T> mapper) {
        Statements sql = statements(select, from, args);
        Uni<List<T>> items = db.preparedQuery(sql.rows()).execute(sql.args()).map(rows -> {
            List<T> out = new ArrayList<>(rows.size());
            rows.forEach(row -> out.add(mapper.apply(row)));
            return out;
        });
        if (limit == null) {
            return items.map(list -> new Page<>(list, list.size()));
        }
        return items.flatMap(list -> db.preparedQuery(sql.count()).execute(sql.args())
                .map(rows -> new Page<>(list, rows.iterator().next().getLong(0))));
    }

    /**
     * The same list streamed: a count of the rows first (the {@code X-Total-Count} header has to go before the
     * body), then the rows. What fits one batch is read by one statement, as {@link #run} does; a longer list is
     * read from a cursor in batches of {@code batch} ({@link RowCursor}, within {@code limit}), so that neither this
     * process nor the database holds the whole list at once.
     */
    public <T> Uni<StreamedPage<T>> stream(Pool db, CursorLimit limit, String select, String from, List<Object> args,
            java.util.function.Function<Row, T> mapper, int batch) {
        Statements sql = statements(select, from, args);
        return db.preparedQuery(sql.count()).execute(sql.args()).map(counted -> {
            long total = counted.iterator().next().getLong(0);
            Multi<List<Row>> rows = rowsToSend(total) <= batch
                    ? db.preparedQuery(sql.rows()).execute(sql.args()).toMulti().filter(read -> read.size() > 0)
                            .map(RowCursor::list)
                    : RowCursor.batches(db, limit, sql.rows(), sql.args(), batch);
            return new StreamedPage<>(rows.map(read -> read.stream().map(mapper).toList()), total);
        });
    }

    /** How many of {@code total} rows this page holds. */
    private long rowsToSend(long total) {
        return limit == null ? total : Math.max(0, Math.min(limit, total - offset));
    }

    /** The list's statement and the count of its rows before paging, with their arguments. */
    private record Statements(String rows, String count, Tuple args) {
    }

    private Statements statements(String select, String from, List<Object> args) {
        List<Object> all = new ArrayList<>(args);
        StringBuilder where = new StringBuilder(from);
        for (Map.Entry<String, Object> f : filters.entrySet()) {
            String expr = columns.get(f.getKey());
            if (expr == null) {
                throw ApiErrors.invalidField("filter", "cannot filter by " + f.getKey());
            }
            if (f.getValue() instanceof JsonArray values) {
                // one of several values, as Nexodus's IN: react-admin's getMany sends {"id":[…]}
                all.add(values.stream().map(String::valueOf).toArray(String[]::new));
                where.append(" AND ").append(expr).append("::text = ANY($").append(all.size()).append("::text[])");
            } else {
                all.add(f.getValue() == null ? null : String.valueOf(f.getValue()));
                where.append(" AND ").append(expr).append("::text = $").append(all.size());
            }
        }
        String rows = "SELECT " + select + " " + where + " ORDER BY " + orderBy
                + (limit != null ? " LIMIT " + limit + " OFFSET " + offset : "");
        return new Statements(rows, "SELECT count(*) " + where, Tuple.from(all));
    }

    private static JsonArray array(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return new JsonArray(json);
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    private static JsonObject object(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return new JsonObject(json);
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }
}
