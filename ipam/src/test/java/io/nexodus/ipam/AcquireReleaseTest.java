package io.nexodus.ipam;

import static io.nexodus.ipam.Calls.assertFails;
import static io.nexodus.ipam.Calls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status.Code;
import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.api.v1.AcquireIPRequest;
import io.nexodus.shared.ipam.api.v1.AcquireIPResponse;
import io.nexodus.shared.ipam.api.v1.PrefixUsageResponse;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** AcquireIP / ReleaseIP / PrefixUsage over real gRPC against a real PostgreSQL, IPv4 and IPv6. */
@QuarkusTest
@WithTestResource(IpamPostgresTestResource.class)
class AcquireReleaseTest {

    @Inject
    IpamClient ipam;

    @Inject
    io.vertx.mutiny.core.Vertx vertx;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.datasource.reactive.url")
    String databaseUrl;
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.datasource.username")
    String databaseUser;
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.datasource.password")
    String databasePassword;

    private String prefix(String namespace, String cidr) {
        await(ipam.ensureNamespace(namespace));
        return await(ipam.createPrefix(namespace, cidr)).getCidr();
    }

    @Test
    void ipv4HandsOutTheLowestFreeAddressNeverNetworkOrBroadcast() {
        String cidr = prefix("v4", "100.64.0.0/10");
        assertEquals("100.64.0.1", await(ipam.acquireIp("v4", cidr)));
        assertEquals("100.64.0.2", await(ipam.acquireIp("v4", cidr)));
        AcquireIPResponse response = await(ipam.stub().acquireIP(AcquireIPRequest.newBuilder()
                .setPrefixCidr(cidr).setNamespace("v4").build()));
        assertEquals("100.64.0.3", response.getIp().getIp());
        assertEquals("100.64.0.0/10", response.getIp().getParentPrefix());
        assertEquals("v4", response.getNamespace());
        assertFails(Code.ALREADY_EXISTS, "AlreadyAllocatedError", ipam.acquireIp("v4", cidr, "100.64.0.0"));
        assertFails(Code.ALREADY_EXISTS, "AlreadyAllocatedError", ipam.acquireIp("v4", cidr, "100.127.255.255"));
    }

    @Test
    void ipv6HandsOutTheLowestFreeAddressNeverTheNetwork() {
        String cidr = prefix("v6", "200::/64");
        assertEquals("200::1", await(ipam.acquireIp("v6", cidr)));
        assertEquals("200::2", await(ipam.acquireIp("v6", cidr)));
        assertEquals("200::ffff:ffff:ffff:ffff", await(ipam.acquireIp("v6", cidr, "200::ffff:ffff:ffff:ffff")));
        assertFails(Code.ALREADY_EXISTS, "AlreadyAllocatedError", ipam.acquireIp("v6", cidr, "200::"));
        await(ipam.releaseIp("v6", cidr, "200::1"));
        assertEquals("200::1", await(ipam.acquireIp("v6", cidr)));
        assertEquals("200::3", await(ipam.acquireIp("v6", cidr)));
    }

    @Test
    void aSmallPrefixIsExhausted() {
        String cidr = prefix("small", "10.0.0.0/30");
        assertEquals("10.0.0.1", await(ipam.acquireIp("small", cidr)));
        assertEquals("10.0.0.2", await(ipam.acquireIp("small", cidr)));
        assertFails(Code.RESOURCE_EXHAUSTED, "NoIPAvailableError", ipam.acquireIp("small", cidr));
        await(ipam.releaseIp("small", cidr, "10.0.0.1"));
        assertEquals("10.0.0.1", await(ipam.acquireIp("small", cidr)));
        assertFails(Code.RESOURCE_EXHAUSTED, "NoIPAvailableError", ipam.acquireIp("small", cidr));
        String single = prefix("small", "10.0.1.0/32");
        assertFails(Code.RESOURCE_EXHAUSTED, "NoIPAvailableError", ipam.acquireIp("small", single));
    }

    @Test
    void aSpecificAddressIsHandedOutOnce() {
        String cidr = prefix("specific", "10.1.0.0/24");
        assertEquals("10.1.0.77", await(ipam.acquireIp("specific", cidr, "10.1.0.77")));
        assertFails(Code.ALREADY_EXISTS, "AlreadyAllocatedError", ipam.acquireIp("specific", cidr, "10.1.0.77"));
        assertFails(Code.INVALID_ARGUMENT, "not in", ipam.acquireIp("specific", cidr, "10.2.0.1"));
        assertFails(Code.INVALID_ARGUMENT, "not an ip", ipam.acquireIp("specific", cidr, "10.1.0.x"));
        // the lowest-free search steps over specific allocations
        await(ipam.acquireIp("specific", cidr, "10.1.0.1"));
        assertEquals("10.1.0.2", await(ipam.acquireIp("specific", cidr)));
        // nexd --request-ip: the requested address if free, else the lowest free
        assertEquals("10.1.0.3", await(ipam.acquireIpPreferring("specific", cidr, "10.1.0.77")));
    }

    @Test
    void releaseThenAcquireReturnsTheLowestFree() {
        String cidr = prefix("reuse", "10.2.0.0/16");
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            taken.add(await(ipam.acquireIp("reuse", cidr)));
        }
        assertEquals("10.2.0.100", taken.get(99));
        // the search start follows the allocations (what keeps acquire cheap at a million addresses)
        String watermark = watermark("reuse", cidr);
        org.junit.jupiter.api.Assertions.assertTrue(Cidr.addressValue(watermark).compareTo(Cidr.addressValue("10.2.0.80")) >= 0,
                () -> "watermark lags behind: " + watermark);
        await(ipam.releaseIp("reuse", cidr, "10.2.0.50"));
        await(ipam.releaseIp("reuse", cidr, "10.2.0.7"));
        await(ipam.releaseIp("reuse", cidr, "10.2.0.100"));
        assertEquals("10.2.0.7", await(ipam.acquireIp("reuse", cidr)));
        assertEquals("10.2.0.50", await(ipam.acquireIp("reuse", cidr)));
        assertEquals("10.2.0.100", await(ipam.acquireIp("reuse", cidr)));
        assertEquals("10.2.0.101", await(ipam.acquireIp("reuse", cidr)));
        assertFails(Code.NOT_FOUND, "NotFound", ipam.releaseIp("reuse", cidr, "10.2.0.200"));
        assertFails(Code.NOT_FOUND, "NotFound", ipam.releaseIp("reuse", "10.3.0.0/16", "10.3.0.1"));
        assertFails(Code.NOT_FOUND, "NotFound", ipam.acquireIp("reuse", "10.3.0.0/16"));
        assertFails(Code.NOT_FOUND, "NamespaceDoesNotExist", ipam.acquireIp("nowhere", cidr));
    }

    @Test
    void concurrentAcquiresGetDistinctAddresses() {
        String cidr = prefix("crowd", "10.4.0.0/16");
        List<Uni<String>> calls = IntStream.range(0, 200).mapToObj(i -> ipam.acquireIp("crowd", cidr)).toList();
        List<String> addresses = Uni.join().all(calls).andFailFast().await().atMost(Calls.TIMEOUT);
        Set<String> distinct = new HashSet<>(addresses);
        assertEquals(200, distinct.size(), "every address handed out once");
        // concurrency may leave holes for a moment, never duplicates; the lowest free is then handed out
        PrefixUsageResponse usage = await(ipam.usage("crowd", cidr));
        assertEquals(202, usage.getAcquiredIps());
        String next = await(ipam.acquireIp("crowd", cidr));
        assertEquals(false, distinct.contains(next));
    }

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "ipam.test.jdbc-url")
    String jdbcUrl;

    private String watermark(String namespace, String cidr) {
        try (var db = java.sql.DriverManager.getConnection(jdbcUrl, databaseUser, databasePassword);
                var query = db.prepareStatement("SELECT host(c.watermark) FROM ipam_prefix_cursors c"
                        + " JOIN ipam_prefixes p ON p.id = c.prefix_id WHERE p.namespace = ? AND p.cidr = ?::cidr")) {
            query.setString(1, namespace);
            query.setString(2, cidr);
            try (var rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoReplicasNeverHandOutTheSameAddress() {
        String cidr = prefix("replicas", "10.8.0.0/16");
        // a second replica: its own allocator and its own connection pool, sharing only the database
        io.vertx.mutiny.pgclient.PgPool otherPool = io.vertx.mutiny.pgclient.PgPool.pool(vertx,
                io.vertx.pgclient.PgConnectOptions.fromUri(databaseUrl).setUser(databaseUser).setPassword(databasePassword),
                new io.vertx.sqlclient.PoolOptions().setMaxSize(8));
        try {
            AddressAllocator otherReplica = new AddressAllocator();
            otherReplica.pool = otherPool;
            Cidr parsed = Cidr.parse(cidr);
            List<Uni<String>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(ipam.acquireIp("replicas", cidr));
                calls.add(otherReplica.acquireLowest("replicas", parsed));
            }
            List<String> addresses = Uni.join().all(calls).andFailFast().await().atMost(Calls.TIMEOUT);
            assertEquals(200, new HashSet<>(addresses).size(), "every address handed out once");
        } finally {
            otherPool.closeAndAwait();
        }
    }

    @Test
    void afterConcurrentChurnTheLowestFreeIsStillHandedOutFirst() throws Exception {
        String cidr = prefix("churn", "10.7.0.0/24");
        Set<String> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            done.add(callers.submit(() -> {
                java.util.Random random = new java.util.Random();
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    String ip = await(ipam.acquireIp("churn", cidr));
                    if (!held.add(ip)) {
                        throw new AssertionError(ip + " handed out twice");
                    }
                    mine.add(ip);
                    if (random.nextBoolean()) {
                        String gone = mine.remove(random.nextInt(mine.size()));
                        held.remove(gone);
                        await(ipam.releaseIp("churn", cidr, gone));
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
        callers.shutdown();
        // with the crowd gone, every acquire must give exactly the lowest address not held
        for (int i = 0; i < 20; i++) {
            String expected = null;
            for (int host = 1; host < 255; host++) {
                if (!held.contains("10.7.0." + host)) {
                    expected = "10.7.0." + host;
                    break;
                }
            }
            assertEquals(expected, await(ipam.acquireIp("churn", cidr)));
            held.add(expected);
        }
    }

    @Test
    void usageCountsAddressesAndCapsSizes() {
        String cidr = prefix("usage", "10.5.0.0/24");
        await(ipam.acquireIp("usage", cidr));
        PrefixUsageResponse usage = await(ipam.usage("usage", cidr));
        assertEquals(256, usage.getAvailableIps());
        assertEquals(3, usage.getAcquiredIps(), "network, broadcast and one address");
        String big = prefix("usage", "2001:db8::/32");
        PrefixUsageResponse bigUsage = await(ipam.usage("usage", big));
        assertEquals(1L << 31, bigUsage.getAvailableIps());
        assertEquals(1, bigUsage.getAcquiredIps());
        assertEquals(List.of("2001:db8::/32"), bigUsage.getAvailablePrefixesList());
        assertFails(Code.NOT_FOUND, "not found", ipam.usage("usage", "10.6.0.0/24"));
    }
}
