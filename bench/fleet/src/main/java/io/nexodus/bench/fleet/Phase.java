package io.nexodus.bench.fleet;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One phase of a run and what it cost: answers by operation and status, latencies (HdrHistogram, microseconds), and
 * from /proc and PostgreSQL the CPU, memory, transactions and statements between its start and its end.
 */
final class Phase {

    /**
     * The processes measured: the stack's besides PostgreSQL, by name (the all-in-one; or each function, IPAM and the
     * front door), the one of them that holds the watch streams, and PostgreSQL. A remote target has none: an empty
     * stack and pids of -1 are skipped.
     */
    record Pids(Map<String, Long> stack, long streams, long pg) {

        static Pids remote() {
            return new Pids(Map.of(), -1, -1);
        }

        /** What the stack's processes are called in the report. */
        String label() {
            return stack.size() == 1 ? "function process" : "stack processes";
        }

        Map<String, Long> cpuMillis() {
            Map<String, Long> cpu = new java.util.LinkedHashMap<>();
            stack.forEach((name, pid) -> cpu.put(name, Proc.cpuMillis(pid)));
            return cpu;
        }

        /** The stack's CPU so far, all its processes together. */
        long totalCpuMillis() {
            return Snapshot.total(cpuMillis());
        }

        double rssMiB() {
            return stack.values().stream().mapToDouble(Proc::rssMiB).sum();
        }

        double streamsRssMiB() {
            return streams > 0 ? Proc.rssMiB(streams) : 0;
        }
    }

    private record Snapshot(long nanos, Map<String, Long> appCpu, long pgCpu, long selfCpu, long xacts, long calls) {

        long appCpuTotal() {
            return total(appCpu);
        }

        static long total(Map<String, Long> cpuByProcess) {
            return cpuByProcess.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    final String name;
    private final Pids pids;
    private final DataSource db;
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    final List<String> notes = new ArrayList<>();
    private final List<String> statements = new ArrayList<>();
    private Snapshot start;
    private Snapshot end;
    private String loadStart;
    private String loadEnd;
    double appRssStart;
    double appRssEnd;
    /** The RSS of the process that holds the streams (the all-in-one's is {@link #appRssStart} too). */
    double streamsRssStart;
    double streamsRssEnd;
    private final Map<String, Double> rssByProcessEnd = new java.util.LinkedHashMap<>();
    private double pgRssEnd;
    private double selfRssEnd;

    Phase(String name, Pids pids, DataSource db) {
        this.name = name;
        this.pids = pids;
        this.db = db;
    }

    Phase begin() {
        resetStatements();
        loadStart = Proc.loadavg();
        appRssStart = pids.rssMiB();
        streamsRssStart = pids.streamsRssMiB();
        start = snapshot();
        return this;
    }

    Phase finish() {
        end = snapshot();
        loadEnd = Proc.loadavg();
        pids.stack().forEach((name, pid) -> rssByProcessEnd.put(name, Proc.rssMiB(pid)));
        appRssEnd = rssByProcessEnd.values().stream().mapToDouble(Double::doubleValue).sum();
        streamsRssEnd = pids.streamsRssMiB();
        pgRssEnd = pids.pg() > 0 ? Proc.treeRssMiB(pids.pg()) : 0;
        selfRssEnd = Proc.rssMiB(ProcessHandle.current().pid());
        readStatements();
        return this;
    }

    void record(String op, int status, long nanos) {
        record(op, Integer.toString(status), nanos);
    }

    /** @param outcome an HTTP status, or what became of work that has none (the direct baseline's) */
    void record(String op, String outcome, long nanos) {
        statuses.computeIfAbsent(op + " " + outcome, k -> new LongAdder()).increment();
        latency.computeIfAbsent(op, k -> new ConcurrentHistogram(3_600_000_000L, 3)).recordValue(Math.max(1, nanos / 1_000));
    }

    long count(String op, int status) {
        LongAdder a = statuses.get(op + " " + status);
        return a == null ? 0 : a.sum();
    }

    /** Seconds since the phase began (while it runs). */
    double elapsed() {
        return (System.nanoTime() - start.nanos) / 1e9;
    }

    double seconds() {
        return (end.nanos - start.nanos) / 1e9;
    }

    long appCpuMillis() {
        return end.appCpuTotal() - start.appCpuTotal();
    }

    long pgCpuMillis() {
        return end.pgCpu - start.pgCpu;
    }

    long xacts() {
        return end.xacts - start.xacts;
    }

    long statementCalls() {
        return end.calls - start.calls;
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("### ").append(name).append(String.format(" (%.1f s; loadavg %s → %s)%n%n", seconds(), loadStart, loadEnd));
        if (!statuses.isEmpty()) {
            b.append("| operation | answers by status | p50 ms | p90 ms | p99 ms | max ms |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
            for (var e : new TreeMap<>(latency).entrySet()) {
                StringBuilder st = new StringBuilder();
                new TreeMap<>(statuses).forEach((k, v) -> {
                    if (k.startsWith(e.getKey() + " ")) {
                        st.append(st.isEmpty() ? "" : ", ").append(k.substring(e.getKey().length() + 1)).append(": ").append(v.sum());
                    }
                });
                Histogram h = e.getValue();
                b.append(String.format("| %s | %s | %.1f | %.1f | %.1f | %.1f |%n", e.getKey(), st,
                        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                        h.getMaxValue() / 1e3));
            }
            b.append('\n');
        }
        double s = Math.max(seconds(), 1e-3);
        b.append(String.format("- CPU: %s %d ms (%.0f %% of one core), PostgreSQL %d ms (%.0f %%), simulator %d ms%n", pids.label(),
                appCpuMillis(), appCpuMillis() / s / 10, pgCpuMillis(), pgCpuMillis() / s / 10, end.selfCpu - start.selfCpu));
        b.append(String.format("- memory (RSS): %s %.0f → %.0f MiB, PostgreSQL (all processes, shared memory counted per process) %.0f MiB, simulator %.0f MiB%n",
                pids.label(), appRssStart, appRssEnd, pgRssEnd, selfRssEnd));
        if (pids.stack().size() > 1) {
            StringBuilder each = new StringBuilder();
            pids.stack().keySet().forEach(name -> each.append(each.isEmpty() ? "" : ", ").append(String.format("%s %d ms / %.0f MiB",
                    name, end.appCpu.getOrDefault(name, 0L) - start.appCpu.getOrDefault(name, 0L), rssByProcessEnd.get(name))));
            b.append("- by process (CPU, RSS at the end): ").append(each).append('\n');
        }
        b.append(String.format("- database: %d transactions (%.1f/s), %d statements (%.1f/s)%n", xacts(), xacts() / s,
                statementCalls(), statementCalls() / s));
        for (String n : notes) {
            b.append("- ").append(n).append('\n');
        }
        if (!statements.isEmpty()) {
            b.append("- top statements by total time (calls, total ms, mean ms):\n");
            statements.forEach(line -> b.append("  - ").append(line).append('\n'));
        }
        return b.append('\n').toString();
    }

    private Snapshot snapshot() {
        long xacts = 0;
        long calls = 0;
        if (db != null) {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")) {
                    r.next();
                    xacts = r.getLong(1);
                }
                try (ResultSet r = s.executeQuery("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements")) {
                    r.next();
                    calls = r.getLong(1);
                }
            } catch (Exception e) {
                // not reachable, or no pg_stat_statements: the figures read 0 and say so
                notes.add("database statistics not read: " + e.getMessage());
            }
        }
        return new Snapshot(System.nanoTime(), pids.cpuMillis(),
                pids.pg() > 0 ? Proc.treeCpuMillis(pids.pg()) : 0, Proc.cpuMillis(ProcessHandle.current().pid()), xacts, calls);
    }

    /**
     * pg_stat_statements counts from a reset, so the phase's statements are what it reads at its end; the reset's own
     * and these reads are the simulator's (a handful; pg_stat_database counts them too, as a few transactions).
     */
    private void resetStatements() {
        if (db == null) {
            return;
        }
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_statements_reset()");
        } catch (Exception e) {
            notes.add("pg_stat_statements not reset: " + e.getMessage());
        }
    }

    private void readStatements() {
        if (db == null) {
            return;
        }
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT calls, total_exec_time, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements"
                        + " WHERE query NOT LIKE '%pg_stat_%' ORDER BY total_exec_time DESC LIMIT 6")) {
            while (r.next()) {
                String q = r.getString(3);
                statements.add(String.format("%d, %.0f, %.3f: `%s`", r.getLong(1), r.getDouble(2),
                        r.getDouble(2) / Math.max(1, r.getLong(1)), q.length() > 140 ? q.substring(0, 140) + "…" : q));
            }
        } catch (Exception e) {
            notes.add("pg_stat_statements not read: " + e.getMessage());
        }
    }
}
