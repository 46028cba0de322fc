package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many devices registering at once in one VPC, with user tokens and with one reusable registration key:
 * every registration gets a device, every device distinct addresses, and IPAM holds exactly the live
 * devices' addresses. Prints its figures.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ConcurrencyTest {

    static final int REGISTRATIONS = Integer.getInteger("nexodus.concurrency.registrations", 500);

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    private long count(String sql, Object... args) {
        return db.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void fiveHundredConcurrentRegistrationsInOneVpc() throws Exception {
        String user = Nexd.user("crowd");
        String vpc = Nexd.defaultVpc(user);
        String userBearer = TestTokens.bearer(user);
        String keyBearer = "Bearer " + Nexd.regKey(user, vpc, "");
        List<Nexd> agents = new ArrayList<>();
        for (int i = 0; i < REGISTRATIONS; i++) {
            agents.add(new Nexd());
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < REGISTRATIONS; i++) {
            Nexd agent = agents.get(i);
            String bearer = i % 2 == 0 ? userBearer : keyBearer;
            calls.add(() -> client.send(HttpRequest.newBuilder(URI.create(base + "api/devices"))
                            .header("Authorization", bearer).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\""
                                    + agent.publicKey + "\"}")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        long started = System.nanoTime();
        List<Integer> statuses = new ArrayList<>();
        try {
            for (Future<Integer> f : pool.invokeAll(calls, 5, TimeUnit.MINUTES)) {
                statuses.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long created = statuses.stream().filter(s -> s == 201).count();
        UUID owner = UUID.fromString(vpc);
        long devices = count("SELECT count(*) FROM devices WHERE owner_id = $1 AND deleted_at IS NULL", owner);
        long v4 = count("SELECT count(DISTINCT ipv4_tunnel_ips->0->>'address') FROM devices WHERE owner_id = $1", owner);
        long v6 = count("SELECT count(DISTINCT ipv6_tunnel_ips->0->>'address') FROM devices WHERE owner_id = $1", owner);
        long allocations = count("SELECT count(*) FROM ipam_addresses");
        long live = count("SELECT count(*) FROM devices WHERE deleted_at IS NULL");
        System.out.printf("concurrency: %d registrations (half user token, half one reusable key), 32 at a time, in %d ms:"
                        + " %d created, %d failed; devices %d, distinct IPv4 %d, distinct IPv6 %d;"
                        + " IPAM allocations %d for %d live devices (orphans: %d)%n", REGISTRATIONS, millis, created,
                REGISTRATIONS - created, devices, v4, v6, allocations, live, allocations - 2 * live);
        assertEquals(REGISTRATIONS, created, "every registration succeeded: " + statuses);
        assertEquals(REGISTRATIONS, devices);
        assertEquals(REGISTRATIONS, v4, "distinct IPv4 addresses");
        assertEquals(REGISTRATIONS, v6, "distinct IPv6 addresses");
        assertEquals(2 * live, allocations, "IPAM holds exactly the live devices' addresses");
    }
}
