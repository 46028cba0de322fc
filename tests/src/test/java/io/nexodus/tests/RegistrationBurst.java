package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Many devices registering at once in one VPC ({@code POST /api/devices}), started in the background so
 * that a test can break a backend while they run, then collected: how many answered what.
 */
final class RegistrationBurst {

    private final ExecutorService pool;
    private final List<Future<HttpResponse<String>>> answers = new ArrayList<>();

    private RegistrationBurst(int parallel) {
        pool = Executors.newFixedThreadPool(parallel);
    }

    static RegistrationBurst start(URL base, String bearer, String vpc, int registrations, int parallel) {
        return start(base, List.of(bearer), vpc, registrations, parallel);
    }

    /** @param bearers taken in turn: registration i uses {@code bearers[i % size]} */
    static RegistrationBurst start(URL base, List<String> bearers, String vpc, int registrations, int parallel) {
        RegistrationBurst burst = new RegistrationBurst(parallel);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < registrations; i++) {
            Nexd agent = new Nexd();
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "api/devices"))
                    .header("Authorization", bearers.get(i % bearers.size())).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\""
                            + agent.publicKey + "\"}")).build();
            burst.answers.add(burst.pool.submit(() -> client.send(request, HttpResponse.BodyHandlers.ofString())));
        }
        return burst;
    }

    /** How many registrations have been answered so far. */
    long answered() {
        return answers.stream().filter(Future::isDone).count();
    }

    /**
     * Returns once {@code atLeast} registrations are answered and more are still to come: a fault injected
     * now lands while the burst is in flight (a fixed sleep could land before it started, or after it ended,
     * on a slow machine).
     */
    void awaitInFlight(int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (answered() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(answered() >= atLeast && answered() < answers.size(),
                "the burst is in flight: " + answered() + " of " + answers.size() + " answered");
    }

    /** Fails unless some registrations are still unanswered: the fault overlapped the burst. */
    void assertStillInFlight(String when) {
        assertTrue(answered() < answers.size(), "the burst was still in flight " + when + ": "
                + answered() + " of " + answers.size() + " answered");
    }

    /** Waits for every answer. */
    List<HttpResponse<String>> answers() throws Exception {
        List<HttpResponse<String>> all = new ArrayList<>();
        try {
            for (Future<HttpResponse<String>> answer : answers) {
                all.add(answer.get(3, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        return all;
    }

    /** Counts the failed answers, each of which must be a 5xx with a JSON error body (a backend was away). */
    static int failures(List<HttpResponse<String>> answers) {
        int failed = 0;
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() != 201) {
                failed++;
                assertTrue(answer.statusCode() >= 500, "a failure is a 5xx: " + answer.statusCode() + " " + answer.body());
                assertTrue(answer.body().contains("\"error\""), "with a JSON body: " + answer.body());
            }
        }
        return failed;
    }

    /** One answer body per failing status, to show what the callers were told. */
    static Map<Integer, String> sampleFailures(List<HttpResponse<String>> answers) {
        Map<Integer, String> samples = new TreeMap<>();
        answers.stream().filter(a -> a.statusCode() != 201).forEach(a -> samples.putIfAbsent(a.statusCode(), a.body()));
        return samples;
    }

    static Map<Integer, Integer> statuses(List<HttpResponse<String>> answers) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        answers.forEach(a -> statuses.merge(a.statusCode(), 1, Integer::sum));
        return statuses;
    }
}
