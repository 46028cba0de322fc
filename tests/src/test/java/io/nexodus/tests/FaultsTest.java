package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The database goes away in the middle of a registration burst: every connection of the functions and
 * of the IPAM server is cut, twice (what a PostgreSQL restart does to them). Requests then fail with a
 * clear 5xx JSON answer, nothing half-written remains (no device without addresses, no address without
 * a device), and service resumes by itself. Prints its figures.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class FaultsTest {

    static final int REGISTRATIONS = 200;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    private long count(String sql) {
        return db.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }

    /** Cuts every other session of the test database, as a restart would. */
    private void cutConnections() throws Exception {
        try (Connection admin = DriverManager.getConnection("jdbc:" + url, user, password)) {
            admin.createStatement().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
        }
    }

    @Test
    void aDatabaseOutageInABurstLeavesNothingHalfWritten() throws Exception {
        String name = Nexd.user("outage");
        String vpc = Nexd.defaultVpc(name);
        String bearer = TestTokens.bearer(name);
        List<Nexd> agents = new ArrayList<>();
        for (int i = 0; i < REGISTRATIONS; i++) {
            agents.add(new Nexd());
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        for (Nexd agent : agents) {
            calls.add(() -> client.send(HttpRequest.newBuilder(URI.create(base + "api/devices"))
                    .header("Authorization", bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\""
                            + agent.publicKey + "\"}")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        for (Callable<HttpResponse<String>> call : calls) {
            futures.add(pool.submit(call));
        }
        Thread.sleep(300);
        cutConnections();
        Thread.sleep(300);
        cutConnections();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int ambiguous = 0;
        for (Future<HttpResponse<String>> f : futures) {
            HttpResponse<String> response = f.get(3, TimeUnit.MINUTES);
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() >= 500) {
                ambiguous++;
            }
            if (response.statusCode() != 201) {
                assertTrue(response.statusCode() >= 500, "a failure is a 5xx: " + response.statusCode() + " " + response.body());
                assertTrue(response.body().contains("\"error\""), "with a JSON body: " + response.body());
            }
        }
        pool.shutdownNow();

        // service resumes by itself
        new Nexd().register(bearer, vpc, "").then().statusCode(201);

        long live = count("SELECT count(*) FROM devices WHERE deleted_at IS NULL");
        long allocations = count("SELECT count(*) FROM ipam_addresses");
        // a live device whose addresses IPAM does not hold: IPAM could hand them out twice
        long withoutAddresses = count("SELECT count(*) FROM devices d WHERE d.deleted_at IS NULL AND (SELECT count(*)"
                + " FROM ipam_addresses a WHERE host(a.address) IN (d.ipv4_tunnel_ips->0->>'address',"
                + " d.ipv6_tunnel_ips->0->>'address')) <> 2");
        long orphans = count("SELECT count(*) FROM ipam_addresses a WHERE NOT EXISTS (SELECT 1 FROM devices d"
                + " WHERE d.deleted_at IS NULL AND (d.ipv4_tunnel_ips->0->>'address' = host(a.address)"
                + " OR d.ipv6_tunnel_ips->0->>'address' = host(a.address)))");
        System.out.printf("faults: %d registrations, connections cut twice mid-burst: statuses %s; %d live devices,"
                + " %d IPAM allocations; devices without addresses %d, addresses without a device %d%n",
                REGISTRATIONS, statuses, live, allocations, withoutAddresses, orphans);
        assertEquals(0, withoutAddresses, "no device without addresses");
        // Known limit, until IPAM reconciliation lands: when a connection is lost after a commit but before the
        // answer (the IPAM server's acquisition, or our insert when the row cannot be looked up afterwards),
        // the caller gets a 5xx and an address stays taken that nobody holds. Never the other way round: a
        // device keeps its addresses. So orphans are bounded by the failed answers (and are zero in most runs).
        assertTrue(orphans <= ambiguous, "orphans " + orphans + " beyond the " + ambiguous + " ambiguous IPAM answers");
        assertEquals(2 * live + orphans, allocations);
    }
}
