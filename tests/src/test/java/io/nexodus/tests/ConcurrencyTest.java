package io.nexodus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDb;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
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


    @Test
    void fiveHundredConcurrentRegistrationsInOneVpc() throws Exception {
        String user = Nexd.user("crowd");
        String vpc = Nexd.defaultVpc(user);
        String userBearer = TestTokens.bearer(user);
        String keyBearer = "Bearer " + Nexd.regKey(user, vpc, "");
        long started = System.nanoTime();
        List<Integer> statuses = RegistrationBurst.start(base, List.of(userBearer, keyBearer), vpc, REGISTRATIONS, 32)
                .answers().stream().map(HttpResponse::statusCode).toList();
        long millis = (System.nanoTime() - started) / 1_000_000;
        long created = statuses.stream().filter(s -> s == 201).count();
        UUID owner = UUID.fromString(vpc);
        long devices = TestDb.count(db, "SELECT count(*) FROM devices WHERE owner_id = $1 AND deleted_at IS NULL", owner);
        long v4 = TestDb.count(db, "SELECT count(DISTINCT ipv4_tunnel_ips->0->>'address') FROM devices WHERE owner_id = $1", owner);
        long v6 = TestDb.count(db, "SELECT count(DISTINCT ipv6_tunnel_ips->0->>'address') FROM devices WHERE owner_id = $1", owner);
        long allocations = TestDb.count(db, "SELECT count(*) FROM ipam_addresses");
        long live = TestDb.count(db, "SELECT count(*) FROM devices WHERE deleted_at IS NULL");
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
