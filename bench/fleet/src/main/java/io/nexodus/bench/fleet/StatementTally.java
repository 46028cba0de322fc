package io.nexodus.bench.fleet;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What one side of the paired passes cost PostgreSQL, statement by statement: {@code pg_stat_statements} read before
 * and after each of its passes (no reset, so the phase's own figures stay whole) and the differences summed. The two
 * sides issue the same statements, so a statement that costs one side more time or buffers per call than the other
 * ran another plan there: that is how a plan cached on the empty database was found (docs/benchmarks.md "Where
 * PostgreSQL's CPU per registration went").
 */
final class StatementTally {

    /** One statement's counters: calls, execution time, shared buffers hit or read. */
    private record Counters(String query, long calls, double millis, long buffers) {

        Counters minus(Counters before) {
            return before == null ? this : new Counters(query, calls - before.calls, millis - before.millis, buffers - before.buffers);
        }

        Counters plus(Counters other) {
            return new Counters(query, calls + other.calls, millis + other.millis, buffers + other.buffers);
        }
    }

    private final DataSource db;
    private final Map<String, Counters> sum = new HashMap<>();
    private Map<String, Counters> before = Map.of();

    StatementTally(DataSource db) {
        this.db = db;
    }

    /** Before a pass of this side. */
    void passStarts() throws Exception {
        before = read();
    }

    /** After it: what the pass's statements cost is added to this side's. */
    void passEnded() throws Exception {
        read().forEach((id, now) -> {
            Counters pass = now.minus(before.get(id));
            if (pass.calls() > 0) {
                sum.merge(id, pass, Counters::plus);
            }
        });
    }

    /** The side's costliest statements: calls per registration, mean time and buffers per call. */
    List<String> top(int n, long registrations) {
        List<String> lines = new ArrayList<>();
        sum.values().stream().sorted((a, b) -> Double.compare(b.millis(), a.millis())).limit(n).forEach(c -> {
            String query = c.query().length() > 100 ? c.query().substring(0, 100) + "…" : c.query();
            lines.add(String.format("%.2f per registration, %.3f ms and %.0f buffers per call: `%s`",
                    c.calls() / (double) registrations, c.millis() / c.calls(), c.buffers() / (double) c.calls(), query));
        });
        return lines;
    }

    private Map<String, Counters> read() throws Exception {
        Map<String, Counters> all = new HashMap<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT queryid::text || '/' || toplevel, calls, total_exec_time,"
                        + " shared_blks_hit + shared_blks_read, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements"
                        + " WHERE query NOT LIKE '%pg_stat_%'")) {
            while (r.next()) {
                all.put(r.getString(1), new Counters(r.getString(5), r.getLong(2), r.getDouble(3), r.getLong(4)));
            }
        }
        return all;
    }
}
