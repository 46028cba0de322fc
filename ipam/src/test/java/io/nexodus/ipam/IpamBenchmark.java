package io.nexodus.ipam;

import io.nexodus.shared.ipam.api.v1.AcquireIPRequest;
import io.nexodus.shared.ipam.api.v1.CreateNamespaceRequest;
import io.nexodus.shared.ipam.api.v1.CreatePrefixRequest;
import io.nexodus.shared.ipam.api.v1.IpamServiceGrpc.IpamServiceBlockingStub;
import io.nexodus.shared.ipam.api.v1.ReleaseIPRequest;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A bounded load run against the real server over loopback gRPC and a real PostgreSQL: acquire+release
 * latency and throughput in 100.64.0.0/10 with 10, 10,000 and 1,000,000 addresses already allocated
 * (pre-filled by one SQL insert, the lowest addresses first: the worst case for a gap search). Off
 * unless {@code -Dipam.benchmark=true} (the {@code benchmark} Maven profile sets it); see ipam/README.md.
 */
@QuarkusTest
@WithTestResource(IpamPostgresTestResource.class)
@EnabledIfSystemProperty(named = "ipam.benchmark", matches = "true")
class IpamBenchmark {

    static final String CIDR = "100.64.0.0/10";
    static final long PHASE_MILLIS = Long.getLong("ipam.benchmark.phase-millis", 6_000);
    static final int ROUNDS = Integer.getInteger("ipam.benchmark.rounds", 2);
    static final int THREADS = Integer.getInteger("ipam.benchmark.threads", 8);

    @GrpcClient("ipam")
    IpamServiceBlockingStub ipam;

    @ConfigProperty(name = "ipam.test.jdbc-url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String user;
    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    @Test
    void acquireAndReleaseAtGrowingFill() throws Exception {
        int[] fills = {10, 10_000, 1_000_000};
        for (int fill : fills) {
            String namespace = "bench_" + fill;
            ipam.createNamespace(CreateNamespaceRequest.newBuilder().setNamespace(namespace).build());
            ipam.createPrefix(CreatePrefixRequest.newBuilder().setCidr(CIDR).setNamespace(namespace).build());
            long started = System.nanoTime();
            prefill(namespace, fill);
            System.out.printf("[bench] pre-filled %,d addresses in %.1f s%n", fill, (System.nanoTime() - started) / 1e9);
        }
        // JIT, statement caches and buffers first, so the first measured level is not the cold one
        ipam.createNamespace(CreateNamespaceRequest.newBuilder().setNamespace("bench_warmup").build());
        ipam.createPrefix(CreatePrefixRequest.newBuilder().setCidr(CIDR).setNamespace("bench_warmup").build());
        run("bench_warmup", THREADS, PHASE_MILLIS, true);
        run("bench_warmup", 1, PHASE_MILLIS / 2, true);

        StringBuilder report = new StringBuilder();
        report.append("| round | allocated | mode | ops/s | acquire p50 ms | acquire p99 ms | release p50 ms | release p99 ms |\n");
        report.append("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
        // two rounds over the levels: on a shared, noisy machine a lone figure can mislead
        for (int round = 1; round <= ROUNDS; round++) {
            for (int fill : fills) {
                String namespace = "bench_" + fill;
                run(namespace, 1, PHASE_MILLIS / 8, true); // this prefix's rows and index pages
                report.append(row(round, fill, "cycle, 1 caller", run(namespace, 1, PHASE_MILLIS, true)));
                report.append(row(round, fill, "cycle, " + THREADS + " callers", run(namespace, THREADS, PHASE_MILLIS, true)));
                report.append(row(round, fill, "acquire only, " + THREADS + " callers", run(namespace, THREADS, PHASE_MILLIS, false)));
            }
        }
        System.out.println(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "benchmark.md"), report.toString());
    }

    /** One INSERT ... SELECT generate_series, lowest addresses first, then the cursor as the allocator would leave it. */
    private void prefill(String namespace, int count) throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, user, password); Statement sql = db.createStatement()) {
            String prefix = "(SELECT id FROM ipam_prefixes WHERE namespace = '" + namespace + "' AND cidr = '" + CIDR + "')";
            sql.execute("INSERT INTO ipam_addresses (prefix_id, address) SELECT " + prefix
                    + ", '100.64.0.1'::inet + g FROM generate_series(0, " + (count - 1) + ") g");
            sql.execute("UPDATE ipam_prefix_cursors SET watermark = '100.64.0.1'::inet + " + (count - 1)
                    + " WHERE prefix_id = " + prefix);
            sql.execute("VACUUM ANALYZE ipam_addresses");
        }
    }

    record Result(long ops, double seconds, long[] acquire, long[] release) {
    }

    private Result run(String namespace, int threads, long millis, boolean release) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long deadline = System.nanoTime() + millis * 1_000_000;
        List<Future<long[][]>> workers = new ArrayList<>();
        long begin = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                long[] acquire = new long[1 << 20];
                long[] releases = new long[1 << 20];
                List<String> kept = new ArrayList<>();
                int n = 0;
                while (System.nanoTime() < deadline && n < acquire.length) {
                    long t0 = System.nanoTime();
                    String ip = ipam.acquireIP(AcquireIPRequest.newBuilder().setPrefixCidr(CIDR).setNamespace(namespace).build())
                            .getIp().getIp();
                    long t1 = System.nanoTime();
                    acquire[n] = t1 - t0;
                    if (!release) {
                        kept.add(ip);
                    } else {
                        ipam.releaseIP(ReleaseIPRequest.newBuilder().setPrefixCidr(CIDR).setIp(ip).setNamespace(namespace).build());
                        releases[n] = System.nanoTime() - t1;
                    }
                    n++;
                }
                // untimed: give back what an acquire-only phase took, so the level stays what it says
                for (String ip : kept) {
                    ipam.releaseIP(ReleaseIPRequest.newBuilder().setPrefixCidr(CIDR).setIp(ip).setNamespace(namespace).build());
                }
                return new long[][] {Arrays.copyOf(acquire, n), release ? Arrays.copyOf(releases, n) : new long[0]};
            }));
        }
        List<long[]> acquires = new ArrayList<>();
        List<long[]> releases = new ArrayList<>();
        for (Future<long[][]> worker : workers) {
            long[][] times = worker.get();
            acquires.add(times[0]);
            releases.add(times[1]);
        }
        double seconds = (deadline - begin) / 1e9;
        pool.shutdown();
        long[] a = concat(acquires);
        long[] r = concat(releases);
        return new Result(a.length, seconds, a, r);
    }

    private static String row(int round, int fill, String mode, Result result) {
        String line = String.format("| %d | %,d | %s | %,.0f | %.2f | %.2f | %s | %s |%n", round, fill, mode, result.ops() / result.seconds(),
                pct(result.acquire(), 50), pct(result.acquire(), 99),
                result.release().length == 0 ? "-" : String.format("%.2f", pct(result.release(), 50)),
                result.release().length == 0 ? "-" : String.format("%.2f", pct(result.release(), 99)));
        System.out.print("[bench] " + line);
        return line;
    }

    private static long[] concat(List<long[]> parts) {
        long[] all = new long[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        Arrays.sort(all);
        return all;
    }

    private static double pct(long[] sorted, int percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * percentile / 100.0) - 1)] / 1e6;
    }
}
