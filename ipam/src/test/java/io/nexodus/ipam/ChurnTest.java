package io.nexodus.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Status;
import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.ipam.IpamErrors;
import io.nexodus.shared.ipam.api.v1.AcquireIPRequest;
import io.nexodus.shared.ipam.api.v1.DeletePrefixRequest;
import io.nexodus.shared.ipam.api.v1.ReleaseIPRequest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The allocator under churn, through the real gRPC API against a real PostgreSQL: acquires (lowest and
 * specific) and releases interleaved in prefixes small enough to fill and empty, deletes of a prefix
 * meanwhile, and the two interleavings an outside stress run found by hand. Every call's answer is read
 * raw (the generated stub, no client retry), so a deadlock surfacing as INTERNAL fails the test. After
 * every phase the tables must mean what they say ({@link #assertConsistent}).
 */
@QuarkusTest
@WithTestResource(IpamPostgresTestResource.class)
class ChurnTest {

    static final String NS = "churn";

    @Inject
    IpamClient ipam;

    @Inject
    Pool db;

    /** Who holds each address, per prefix, as the clients know it. */
    private final Map<String, Map<String, String>> holders = new ConcurrentHashMap<>();

    /** Every status a call answered with, to print and to check that none is INTERNAL or UNKNOWN. */
    private final Map<String, Integer> answers = new ConcurrentHashMap<>();

    private static <T> T await(Uni<T> call) {
        return call.await().atMost(Calls.TIMEOUT);
    }

    private void prefix(String cidr) {
        await(ipam.ensureNamespace(NS));
        await(ipam.createPrefix(NS, cidr));
        holders.put(cidr, new ConcurrentHashMap<>());
    }

    /** Lowest-free or specific acquire; null on a refusal the caller can expect (full, taken, prefix gone). */
    private String acquire(String cidr, String ip, String who) {
        AcquireIPRequest.Builder request = AcquireIPRequest.newBuilder().setNamespace(NS).setPrefixCidr(cidr);
        if (ip != null) {
            request.setIp(ip);
        }
        String got = answer(() -> ipam.stub().acquireIP(request.build()).map(r -> r.getIp().getIp()),
                ip == null ? "acquire" : "acquire-specific");
        if (got != null) {
            String before = holders.get(cidr).putIfAbsent(got, who);
            assertNull(before, () -> got + " handed to " + who + " while " + before + " holds it");
        }
        return got;
    }

    private boolean release(String cidr, String ip) {
        // forget first: once the server has it back, another caller may be given it at once
        String who = holders.get(cidr).remove(ip);
        String done = answer(() -> ipam.stub().releaseIP(ReleaseIPRequest.newBuilder().setNamespace(NS)
                .setPrefixCidr(cidr).setIp(ip).build()).replaceWith("released"), "release");
        if (done == null) {
            holders.get(cidr).put(ip, who);
        }
        return done != null;
    }

    private <T> T answer(Supplier<Uni<T>> call, String what) {
        try {
            T result = await(call.get());
            answers.merge(what + " OK", 1, Integer::sum);
            return result;
        } catch (RuntimeException e) {
            Status status = IpamErrors.status(e);
            answers.merge(what + " " + status.getCode(), 1, Integer::sum);
            switch (status.getCode()) {
                case RESOURCE_EXHAUSTED, ALREADY_EXISTS, NOT_FOUND, FAILED_PRECONDITION, ABORTED -> {
                    return null;
                }
                default -> throw new AssertionError(what + " answered " + status, e);
            }
        }
    }

    private List<String> allocated(String cidr) {
        List<String> rows = new ArrayList<>();
        db.preparedQuery("SELECT host(a.address) FROM ipam_addresses a JOIN ipam_prefixes p ON p.id = a.prefix_id"
                        + " WHERE p.namespace = $1 AND p.cidr = $2::text::cidr ORDER BY a.address")
                .execute(Tuple.of(NS, cidr)).await().indefinitely().forEach(row -> rows.add(row.getString(0)));
        return rows;
    }

    private List<String> holes(String cidr) {
        List<String> rows = new ArrayList<>();
        db.preparedQuery("SELECT host(h.address) FROM ipam_holes h JOIN ipam_prefixes p ON p.id = h.prefix_id"
                        + " WHERE p.namespace = $1 AND p.cidr = $2::text::cidr ORDER BY h.address")
                .execute(Tuple.of(NS, cidr)).await().indefinitely().forEach(row -> rows.add(row.getString(0)));
        return rows;
    }

    private BigInteger watermark(String cidr) {
        return Cidr.addressValue(db.preparedQuery("SELECT host(c.watermark) FROM ipam_prefix_cursors c"
                        + " JOIN ipam_prefixes p ON p.id = c.prefix_id WHERE p.namespace = $1 AND p.cidr = $2::text::cidr")
                .execute(Tuple.of(NS, cidr)).await().indefinitely().iterator().next().getString(0));
    }

    /**
     * What the tables must mean when nothing is in flight: the rows are exactly what the clients hold (so no
     * address has two holders and none leaked); below the watermark every usable address is either allocated
     * or a hole, never both and never neither; no hole at or above the watermark; and a lowest-free acquire
     * gives the lowest free address, or a clean NoIPAvailableError exactly when none is free.
     */
    private void assertConsistent(String cidr, String phase) {
        Cidr prefix = Cidr.parse(cidr);
        Set<String> held = new TreeSet<>(holders.get(cidr).keySet());
        assertEquals(held, new TreeSet<>(allocated(cidr)), phase + ": the rows are what the clients hold in " + cidr);
        Set<BigInteger> rows = new TreeSet<>();
        allocated(cidr).forEach(a -> rows.add(Cidr.addressValue(a)));
        Set<BigInteger> holeSet = new TreeSet<>();
        holes(cidr).forEach(h -> holeSet.add(Cidr.addressValue(h)));
        BigInteger watermark = watermark(cidr);
        BigInteger lowestFree = null;
        for (BigInteger a = prefix.firstUsable(); a.compareTo(prefix.lastUsable()) <= 0; a = a.add(BigInteger.ONE)) {
            boolean taken = rows.contains(a);
            boolean hole = holeSet.contains(a);
            String text = prefix.format(a);
            assertTrue(!(taken && hole), phase + ": " + text + " is allocated and a hole");
            if (a.compareTo(watermark) < 0) {
                assertTrue(taken || hole, phase + ": free " + text + " below the watermark " + prefix.format(watermark) + " is no hole");
            } else {
                assertTrue(!hole, phase + ": hole " + text + " at or above the watermark " + prefix.format(watermark));
            }
            if (!taken && lowestFree == null) {
                lowestFree = a;
            }
        }
        String got = acquire(cidr, null, phase + " check");
        if (lowestFree == null) {
            assertNull(got, phase + ": " + cidr + " is full");
            assertEquals(1, answers.getOrDefault("acquire RESOURCE_EXHAUSTED", 0) > 0 ? 1 : 0);
        } else {
            assertEquals(prefix.format(lowestFree), got, phase + ": the lowest free address of " + cidr);
            assertTrue(release(cidr, got));
        }
    }

    private void assertNoServerFault() {
        answers.keySet().forEach(answer -> assertTrue(!answer.endsWith("INTERNAL") && !answer.endsWith("UNKNOWN")
                && !answer.endsWith("UNAVAILABLE"), "answered " + answer + ": " + answers));
    }

    private static void runAll(ExecutorService pool, List<Runnable> tasks) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        tasks.forEach(task -> futures.add(pool.submit(task)));
        for (Future<?> future : futures) {
            future.get(2, TimeUnit.MINUTES);
        }
    }

    /**
     * Fill, release a random set R, then exactly |R| concurrent lowest-free acquires: each must get one of R
     * (the outside run saw a false NoIPAvailableError in 15 of 962 such rounds, always for the last address).
     */
    @Test
    void releasedAddressesAreFoundAgainByAsManyConcurrentAcquiresAndOnlyAFullPrefixIsFull() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (String cidr : List.of("10.1.0.0/28", "10.1.1.0/27")) {
                prefix(cidr);
                Cidr prefix = Cidr.parse(cidr);
                int usable = prefix.lastUsable().subtract(prefix.firstUsable()).intValue() + 1;
                for (int i = 0; i < usable; i++) {
                    assertTrue(acquire(cidr, null, "filler") != null);
                }
                assertConsistent(cidr, "filled");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
                int rounds = 0;
                while (System.nanoTime() < deadline) {
                    List<String> all = new ArrayList<>(holders.get(cidr).keySet());
                    Collections.shuffle(all);
                    List<String> released = all.subList(0, 1 + ThreadLocalRandom.current().nextInt(Math.min(16, all.size())));
                    released.forEach(ip -> assertTrue(release(cidr, ip)));
                    Set<String> got = ConcurrentHashMap.newKeySet();
                    List<Runnable> acquirers = new ArrayList<>();
                    for (int i = 0; i < released.size(); i++) {
                        int n = i;
                        acquirers.add(() -> {
                            String ip = acquire(cidr, null, "round acquirer " + n);
                            assertTrue(ip != null, "a free address was not found: " + answers);
                            got.add(ip);
                        });
                    }
                    runAll(pool, acquirers);
                    assertEquals(new TreeSet<>(released), new TreeSet<>(got), "the released addresses, and only they");
                    rounds++;
                }
                assertConsistent(cidr, "after " + rounds + " exhaustion rounds");
                System.out.printf("ipam-churn: %d exhaustion rounds in %s%n", rounds, cidr);
            }
        } finally {
            pool.shutdownNow();
        }
        assertNoServerFault();
    }

    /**
     * Sixteen threads acquiring (lowest and specific) and releasing in three small prefixes for some seconds,
     * while another deletes and re-creates one of them whenever it is empty and tries to delete the others.
     */
    @Test
    void churnInSmallPrefixesKeepsEveryInvariant() throws Exception {
        List<String> cidrs = List.of("10.2.0.0/28", "10.2.1.0/26", "10.2.2.0/27", BRIEF);
        cidrs.forEach(this::prefix);
        ExecutorService pool = Executors.newFixedThreadPool(17);
        AtomicBoolean running = new AtomicBoolean(true);
        try {
            List<Runnable> tasks = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                String who = "churner " + t;
                tasks.add(() -> churn(who, cidrs, running));
            }
            tasks.add(() -> deletePrefixes(cidrs, running));
            List<Future<?>> futures = new ArrayList<>();
            tasks.forEach(task -> futures.add(pool.submit(task)));
            Thread.sleep(TimeUnit.SECONDS.toMillis(Long.getLong("nexodus.ipam.churn.seconds", 12)));
            running.set(false);
            for (Future<?> future : futures) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("ipam-churn: answers %s%n", new TreeMap<>(answers));
        assertNoServerFault();
        assertTrue(answers.getOrDefault("acquire OK", 0) > 500, "churn ran: " + answers);
        assertTrue(answers.getOrDefault("delete-prefix OK", 0) > 0, "a prefix was deleted during churn: " + answers);
        for (String cidr : cidrs) {
            assertConsistent(cidr, "after churn");
        }
    }

    /** A prefix whose addresses are held only briefly: it is often empty, so its deletes succeed mid-churn. */
    static final String BRIEF = "10.2.3.0/29";

    private void churn(String who, List<String> cidrs, AtomicBoolean running) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<String[]> mine = new ArrayList<>();
        while (running.get()) {
            String cidr = cidrs.get(random.nextInt(cidrs.size()));
            if (cidr.equals(BRIEF)) {
                String ip = acquire(cidr, null, who);
                if (ip != null) {
                    assertTrue(release(cidr, ip), "release of " + ip + " that " + who + " holds");
                }
                continue;
            }
            int op = random.nextInt(10);
            if (op < 4) {
                String ip = acquire(cidr, null, who);
                if (ip != null) {
                    mine.add(new String[] {cidr, ip});
                }
            } else if (op < 6) {
                Cidr prefix = Cidr.parse(cidr);
                BigInteger span = prefix.lastUsable().subtract(prefix.firstUsable()).add(BigInteger.ONE);
                String wanted = prefix.format(prefix.firstUsable().add(BigInteger.valueOf(random.nextLong(span.longValue()))));
                String ip = acquire(cidr, wanted, who);
                if (ip != null) {
                    assertEquals(wanted, ip);
                    mine.add(new String[] {cidr, ip});
                }
            } else if (!mine.isEmpty()) {
                String[] held = mine.remove(random.nextInt(mine.size()));
                assertTrue(release(held[0], held[1]), "release of " + held[1] + " that " + who + " holds");
            }
        }
    }

    /**
     * Tries DeletePrefix on every churned prefix (refused while it has addresses); one that was deleted (the
     * brief one, mostly) is created again at once, so deletes really happen while acquires and releases run
     * in it and around it.
     */
    private void deletePrefixes(List<String> cidrs, AtomicBoolean running) {
        while (running.get()) {
            for (String cidr : cidrs) {
                String deleted = answer(() -> ipam.stub().deletePrefix(DeletePrefixRequest.newBuilder().setNamespace(NS)
                        .setCidr(cidr).build()).replaceWith("deleted"), "delete-prefix");
                if (deleted != null) {
                    assertTrue(holders.get(cidr).isEmpty(), "deleted " + cidr + " while clients hold " + holders.get(cidr));
                    answer(() -> ipam.stub().createPrefix(io.nexodus.shared.ipam.api.v1.CreatePrefixRequest.newBuilder()
                            .setNamespace(NS).setCidr(cidr).build()).replaceWith("created"), "create-prefix");
                }
            }
        }
    }

    /**
     * A specific acquire waiting on a release of the same address (below the watermark, so the release
     * makes it a hole) must not leave that hole behind once it gets the address.
     */
    @Test
    void aSpecificAcquireThatWaitedForAReleaseLeavesNoHole() throws Exception {
        String cidr = "10.3.0.0/26";
        prefix(cidr);
        for (int i = 0; i < 40; i++) {
            acquire(cidr, null, "filler");
        }
        assertTrue(watermark(cidr).compareTo(Cidr.addressValue("10.3.0.5")) > 0, "the watermark is past .5");
        SqlConnection releaser = await(db.getConnection());
        try {
            Transaction tx = await(releaser.begin());
            await(releaser.preparedQuery(AddressAllocator.RELEASE).execute(Tuple.of(NS, cidr, "10.3.0.5")));
            holders.get(cidr).remove("10.3.0.5");
            Future<String> acquired = Executors.newSingleThreadExecutor().submit(() -> acquire(cidr, "10.3.0.5", "waiter"));
            awaitLockWait();
            await(tx.commit());
            assertEquals("10.3.0.5", acquired.get(30, TimeUnit.SECONDS));
        } finally {
            await(releaser.close());
        }
        assertTrue(!holes(cidr).contains("10.3.0.5"), "no hole for the allocated .5: " + holes(cidr));
        assertConsistent(cidr, "after a specific acquire that waited for a release");
        assertNoServerFault();
    }

    /**
     * DeletePrefix (its row lock on the prefix, then the DELETE that checks the addresses) against a release
     * below the watermark: one waits for the other; the release succeeds and the delete is refused cleanly.
     */
    @Test
    void aReleaseDuringADeletePrefixIsNoDeadlock() throws Exception {
        String cidr = "10.4.0.0/26";
        prefix(cidr);
        for (int i = 0; i < 40; i++) {
            acquire(cidr, null, "filler");
        }
        for (String ip : new ArrayList<>(holders.get(cidr).keySet())) {
            if (!ip.equals("10.4.0.5")) {
                assertTrue(release(cidr, ip));
            }
        }
        assertTrue(watermark(cidr).compareTo(Cidr.addressValue("10.4.0.5")) > 0, "the watermark is past .5");
        SqlConnection deleter = await(db.getConnection());
        try {
            Transaction tx = await(deleter.begin());
            long id = await(deleter.preparedQuery("SELECT p.id FROM ipam_prefixes p WHERE p.namespace = $1"
                    + " AND p.cidr = $2::text::cidr FOR UPDATE OF p").execute(Tuple.of(NS, cidr))).iterator().next().getLong(0);
            Future<Boolean> released = Executors.newSingleThreadExecutor().submit(() -> release(cidr, "10.4.0.5"));
            awaitLockWait();
            try {
                await(deleter.preparedQuery("DELETE FROM ipam_prefixes WHERE id = $1").execute(Tuple.of(id)));
                fail("the prefix still has .5");
            } catch (io.vertx.pgclient.PgException e) {
                assertEquals("23503", e.getSqlState(), "refused for its address, not a deadlock: " + e.getMessage());
            }
            await(tx.rollback());
            assertTrue(released.get(30, TimeUnit.SECONDS), "the release went through");
        } finally {
            await(deleter.close());
        }
        assertConsistent(cidr, "after a release during a DeletePrefix");
        assertNoServerFault();
    }

    /** Until some backend of this database waits for a lock (the call made in the background is blocked). */
    private void awaitLockWait() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            long waiting = db.query("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database()").execute().await().indefinitely().iterator().next().getLong(0);
            if (waiting > 0) {
                return;
            }
            Thread.sleep(20);
        }
        fail("the call in the background never waited for the lock");
    }
}
