package io.nexodus.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Per-request latency of one route of a started app under a short, bounded load from this process (a
 * second process beside the app, on loopback): {@code clients} threads, each sending its next request as
 * soon as the previous answer is read, over its own keep-alive HTTP/1.1 connection. A warm-up period is
 * discarded (JIT, pool), then every request of the measured period is timed; any non-2xx answer fails the
 * run. The two read apps answer the same rows, so the difference between them is the data layer's.
 */
final class Latency {

    record Result(long requests, double seconds, double p50Ms, double p90Ms, double p99Ms, double maxMs) {
        String row() {
            return String.format(Locale.ROOT, "%d | %.0f | %.2f | %.2f | %.2f | %.1f", requests, requests / seconds,
                    p50Ms, p90Ms, p99Ms, maxMs);
        }
    }

    private Latency() {
    }

    static Result run(int port, String path, int clients, long warmUpMs, long measureMs) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + path);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.MILLISECONDS.toNanos(warmUpMs);
            long end = measureFrom + TimeUnit.MILLISECONDS.toNanos(measureMs);
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> client(uri, measureFrom, end)));
            }
            List<long[]> all = new ArrayList<>();
            for (Future<long[]> f : futures) {
                all.add(f.get(warmUpMs + measureMs + 60_000, TimeUnit.MILLISECONDS));
            }
            long[] nanos = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            if (nanos.length == 0) {
                throw new IllegalStateException("no request completed in the measured period on " + uri);
            }
            return new Result(nanos.length, measureMs / 1000.0, pct(nanos, 0.50), pct(nanos, 0.90), pct(nanos, 0.99),
                    nanos[nanos.length - 1] / 1e6);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One client: its own HttpClient (one connection), requests back to back until {@code end}. */
    private static long[] client(URI uri, long measureFrom, long end) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
        long[] times = new long[1 << 16];
        int n = 0;
        while (true) {
            long t0 = System.nanoTime();
            if (t0 >= end) {
                return Arrays.copyOf(times, n);
            }
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            long took = System.nanoTime() - t0;
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(uri + " answered " + response.statusCode());
            }
            if (t0 >= measureFrom) {
                if (n == times.length) {
                    times = Arrays.copyOf(times, n * 2);
                }
                times[n++] = took;
            }
        }
    }

    /** The answer body, for checking that the read apps answer the same JSON. */
    static String body(int port, String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double pct(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
