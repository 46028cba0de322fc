package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The attack an outside review ran: many registrations in one VPC while other threads
 * call gc asking for no grace and no retention, without a token, with a user's token and with the
 * service token itself, and the schedule sweeps as configured all the while. A sweep that gave back
 * addresses that registrations in flight hold but have not yet written would let IPAM hand them out
 * twice. The end: every registration a device, no address held by two live devices, IPAM and devices in
 * agreement, and every attacking call refused.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class GcAttackTest {

    static final int REGISTRATIONS = 300;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    /** What each kind of gc caller was answered: kind → status → count. */
    private final Map<String, Map<Integer, Integer>> answered = new ConcurrentHashMap<>();

    private void callGc(HttpClient client, String kind, String bearer, String query) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "private/gc" + query)).GET();
        if (bearer != null) {
            request.header("Authorization", bearer);
        }
        int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        answered.computeIfAbsent(kind, k -> new TreeMap<>()).merge(status, 1, Integer::sum);
    }

    @Test
    void registrationsDuringGcCallsThatAskForNoGraceEndWithNoDuplicateAddress() throws Exception {
        String user = Nexd.user("victim");
        String vpc = Nexd.defaultVpc(user);
        String attacker = TestTokens.bearer(Nexd.user("mallory"));
        String lowered = "?ipam_grace=0&retention=0";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Runnable> loops = List.of(
                () -> loop(running, () -> callGc(client, "no token", null, lowered)),
                () -> loop(running, () -> callGc(client, "user token", attacker, lowered)),
                () -> loop(running, () -> callGc(client, "service token, lowered", TestTokens.serviceBearer(), lowered)),
                () -> loop(running, () -> callGc(client, "service token, configured", TestTokens.serviceBearer(), "")));
        loops.forEach(callers::submit);

        RegistrationBurst burst = RegistrationBurst.start(base, TestTokens.bearer(user), vpc, REGISTRATIONS, 16);
        List<HttpResponse<String>> answers = burst.answers();
        running.set(false);
        callers.shutdown();
        assertTrue(callers.awaitTermination(1, TimeUnit.MINUTES));

        System.out.printf("gc-attack: registrations %s, gc callers %s%n", RegistrationBurst.statuses(answers), answered);
        assertEquals(0, RegistrationBurst.failures(answers), "every registration answered 201");
        assertEquals(Map.of(401, calls("no token")), answered.get("no token"));
        assertEquals(Map.of(403, calls("user token")), answered.get("user token"));
        assertEquals(Map.of(400, calls("service token, lowered")), answered.get("service token, lowered"));
        assertEquals(Map.of(204, calls("service token, configured")), answered.get("service token, configured"));
        assertTrue(calls("service token, configured") > 1, "the schedule swept during the burst");

        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM (SELECT ipv4_tunnel_ips->0->>'address' FROM devices"
                + " WHERE deleted_at IS NULL GROUP BY 1 HAVING count(*) > 1) twice"), "no IPv4 address on two live devices");
        assertEquals(0, TestDb.count(db, "SELECT count(*) FROM (SELECT ipv6_tunnel_ips->0->>'address' FROM devices"
                + " WHERE deleted_at IS NULL GROUP BY 1 HAVING count(*) > 1) twice"), "no IPv6 address on two live devices");
        AddressLedger ledger = AddressLedger.read(db);
        assertEquals(REGISTRATIONS, ledger.liveDevices());
        assertEquals(0, ledger.devicesWithoutAddresses(), "IPAM holds every live device's addresses: " + ledger);
        assertEquals(0, ledger.addressesWithoutDevice(), "nothing was left allocated: " + ledger);
    }

    private int calls(String kind) {
        return answered.getOrDefault(kind, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }

    private interface Call {
        void run() throws Exception;
    }

    /** Calls until the burst is over, at least once. */
    private static void loop(AtomicBoolean running, Call call) {
        try {
            do {
                call.run();
            } while (running.get());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
