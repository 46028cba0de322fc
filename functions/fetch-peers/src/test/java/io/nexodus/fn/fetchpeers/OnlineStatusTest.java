package io.nexodus.fn.fetchpeers;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.model.TunnelIp;
import io.nexodus.shared.store.Signals;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDevices;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.nexodus.testing.TestVpcs;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A device holding a watch stream is online ({@code OnlineTracker}), written in batches ({@code OnlineFlips}): a fleet
 * opening at once is marked online by one write per flush, not one per device (docs/benchmarks.md, "A fleet from
 * its own process"); a device goes offline a grace after its last stream closes, not while another holds it; a
 * stream opened and closed within one flush leaves the device offline; and a flip is presence, not a change the
 * device's peers watch (migration V13): it keeps the revision, so watchers and a {@code gt_revision} list see the
 * device's status with its next real change, not each flip (N agents opening at once were N² events). Here the flush
 * runs every second and the grace is 0.5 s (application.properties). What must happen is awaited with a generous
 * deadline ({@link #EVENTUALLY}, free when it comes early); what must not happen is given a grace, two flushes and
 * half a second ({@link #quietPeriod}), which a test that proves nothing was written waits out in full.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OnlineStatusTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    @Inject
    OnlineFlips flips;

    @ConfigProperty(name = "nexodus.watch.online-flush")
    Duration flush;

    @ConfigProperty(name = "nexodus.watch.offline-grace")
    Duration grace;

    private final HttpClient http = HttpClient.newHttpClient();

    private static final AtomicInteger DEVICES = new AtomicInteger();

    /** A user's default VPC, the user provisioned by a first request (the list of a VPC that is not theirs: 404). */
    private String vpcOf(String user) {
        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + UUID.randomUUID() + "/devices")
                .then().statusCode(404);
        return TestUsers.idOf(db, user);
    }

    private TestDevices.Seeded device(String vpc) {
        int n = DEVICES.incrementAndGet();
        return TestDevices.insert(db, vpc, vpc, new TunnelIp("100.64.1." + n, "100.64.0.0/10"),
                new TunnelIp("200::1:" + Integer.toHexString(n), "200::/64"));
    }

    private static String watches(String kind, String vpc, long gtRevision, boolean atTail) {
        return "[{\"kind\":\"" + kind + "\",\"gt_revision\":" + gtRevision + ",\"at_tail\":" + atTail
                + ",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]";
    }

    /** Opens a stream (its status and headers come at once); closing its body closes it. */
    private CompletableFuture<HttpResponse<InputStream>> open(String bearer, String watches) {
        return open("api/events", bearer, watches);
    }

    /** The same on another of the watch routes ({@code path} relative to the application's root). */
    private CompletableFuture<HttpResponse<InputStream>> open(String path, String bearer, String watches) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", bearer)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(watches)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    /**
     * A device's own stream, watching only the security groups (so it reads nothing of the devices' feed itself),
     * returned once its tail arrived: the stream has started, its session row is written.
     */
    private HttpResponse<InputStream> deviceStream(TestDevices.Seeded device, String vpc) throws Exception {
        return atTail(open(device.bearer(), watches("security-group", vpc, 0, false)));
    }

    /** The stream, returned once its tail arrived (watching the security groups: the VPC's default one comes first). */
    private static HttpResponse<InputStream> atTail(CompletableFuture<HttpResponse<InputStream>> opening) throws Exception {
        HttpResponse<InputStream> stream = opening.get(10, TimeUnit.SECONDS);
        assertEquals(200, stream.statusCode());
        JsonObject event = firstEvent(stream.body()).get(10, TimeUnit.SECONDS);
        while ("change".equals(event.getString("type"))) { // the VPC's default security group first
            event = firstEvent(stream.body()).get(10, TimeUnit.SECONDS);
        }
        assertEquals("tail", event.getString("type"), event.encode());
        return stream;
    }

    /** Reads streams' events, one thread per read in flight (a read ends when its stream closes). */
    private static final java.util.concurrent.ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stream-reader");
        t.setDaemon(true);
        return t;
    });

    /** The next event of a stream (one JSON document a line), or {@code eof}. */
    private static CompletableFuture<JsonObject> firstEvent(InputStream body) {
        return CompletableFuture.supplyAsync(() -> {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            try {
                int b;
                while ((b = body.read()) != -1) {
                    if (b != '\n') {
                        line.write(b);
                    } else if (!line.toString(java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                        return new JsonObject(line.toString(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
                return new JsonObject().put("type", "eof");
            } catch (java.io.IOException e) {
                return new JsonObject().put("type", "eof").put("reason", e.toString());
            }
        }, READERS);
    }

    private Row row(String deviceId) {
        return db.preparedQuery("SELECT online, revision, last_seen_at FROM devices WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(deviceId))).await().indefinitely().iterator().next();
    }

    private boolean online(String deviceId) {
        return row(deviceId).getBoolean("online");
    }

    private static void within(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ", not within " + limit);
            }
            Thread.sleep(100);
        }
    }

    /** The deadline of what must happen: far beyond a flush, so that a slow machine does not fail it. */
    private static final Duration EVENTUALLY = Duration.ofSeconds(15);

    /**
     * Long enough for a closed stream's device to have been written, had it been queued: its grace, then the next
     * flush but one (the first may have begun just before it was queued), and half a second for the write itself.
     */
    private Duration quietPeriod() {
        return grace.plus(flush.multipliedBy(2)).plusMillis(500);
    }

    /**
     * The number that matters is writing transactions (each a commit, and a round of row locks that update-device's
     * writes of the same devices wait for). A row's {@code xmin} is the
     * transaction that wrote it, so the devices' distinct {@code xmin}s count the writes that marked them online.
     * One per device before (20 here); one per flush now: two when the opens straddle a flush (more only if opening
     * the 20 took longer than a flush period, which the assertion allows for and says).
     */
    @Test
    void aFleetOpeningAtOnceIsMarkedOnlineInOneOrTwoWritesNotOnePerDevice() throws Exception {
        String vpc = vpcOf(TestUsers.unique("fleet"));
        List<TestDevices.Seeded> fleet = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fleet.add(device(vpc));
        }
        UUID[] ids = fleet.stream().map(d -> UUID.fromString(d.id())).toArray(UUID[]::new);
        long started = System.nanoTime();
        List<CompletableFuture<HttpResponse<InputStream>>> opening = fleet.stream()
                .map(d -> open(d.bearer(), watches("security-group", vpc, 0, false))).toList();
        List<HttpResponse<InputStream>> streams = new ArrayList<>();
        try {
            for (CompletableFuture<HttpResponse<InputStream>> f : opening) {
                streams.add(f.get(20, TimeUnit.SECONDS));
            }
            streams.forEach(s -> assertEquals(200, s.statusCode()));
            within(Duration.ofSeconds(20), "20 sessions written", () -> count(
                    "SELECT count(*) FROM device_sessions WHERE device_id = ANY($1)", ids) == 20);
            long span = System.nanoTime() - started;
            within(EVENTUALLY, "all 20 online", () -> count("SELECT count(*) FROM devices WHERE id = ANY($1) AND online", ids) == 20);
            long writes = count("SELECT count(DISTINCT xmin::text) FROM devices WHERE id = ANY($1)", ids);
            // the flushes that a span of opens can straddle: one, and one per whole flush period it lasted
            long allowed = span / flush.toNanos() + 2;
            assertTrue(writes <= allowed, writes + " transactions marked 20 devices online (at most " + allowed
                    + " for streams that opened within " + span / 1_000_000 + " ms, a flush every " + flush.toMillis() + " ms)");
        } finally {
            for (HttpResponse<InputStream> s : streams) {
                s.body().close();
            }
        }
    }

    private long count(String sql, UUID[] ids) {
        return db.preparedQuery(sql).execute(Tuple.of(ids)).await().indefinitely().iterator().next().getLong(0);
    }

    @Test
    void aDeviceIsOnlineWhileAnyStreamHoldsItAndOfflineAGraceAfterTheLast() throws Exception {
        String vpc = vpcOf(TestUsers.unique("holder"));
        TestDevices.Seeded device = device(vpc);
        assertTrue(!online(device.id()), "a new device is offline");
        HttpResponse<InputStream> first = deviceStream(device, vpc);
        HttpResponse<InputStream> second = deviceStream(device, vpc);
        try {
            within(EVENTUALLY, "online once its stream is open", () -> online(device.id()));
            assertTrue(row(device.id()).getOffsetDateTime("last_seen_at") != null, "going online stamps last_seen_at");

            first.body().close();
            Thread.sleep(quietPeriod().toMillis());
            assertTrue(online(device.id()), "still online: its other stream is open");
        } finally {
            first.body().close();
            second.body().close();
        }
        long before = System.nanoTime();
        within(EVENTUALLY, "offline once its last stream is gone", () -> !online(device.id()));
        assertTrue(System.nanoTime() - before >= grace.toNanos() - 200_000_000L, "not before its grace");
    }

    /** Opened and closed before any flush: the queued device finds no session and is not written online. */
    @Test
    void aStreamOpenedAndClosedWithinOneFlushLeavesTheDeviceOffline() throws Exception {
        String vpc = vpcOf(TestUsers.unique("blink"));
        TestDevices.Seeded device = device(vpc);
        deviceStream(device, vpc).body().close(); // well within one flush: its tail comes in milliseconds
        Thread.sleep(quietPeriod().toMillis());
        assertTrue(!online(device.id()), "offline in the end");
    }

    /**
     * A stream opened with the owner's token on {@code POST /api/vpcs/{id}/events?public_key=} holds the device with that
     * key in that VPC (its session row, which keeps it online; nexd before it has a device token); the key named under
     * another of the owner's VPCs holds nothing. The device is found by its key alone and its VPC compared after
     * ({@code EventsRoute.DEVICE_BY_PUBLIC_KEY_SQL}).
     */
    @Test
    void aStreamNamingItsDeviceByPublicKeyHoldsThatDeviceInThatVpcOnly() throws Exception {
        String user = TestUsers.unique("bykey");
        String vpc = vpcOf(user);
        TestDevices.Seeded device = device(vpc);
        String otherVpc = TestVpcs.insertPrivate(db, vpc, "10.99.0.0/16", "fd99::/64");
        UUID[] held = {UUID.fromString(device.id())};
        try (InputStream elsewhere = openNaming(user, otherVpc, device.publicKey()).body()) {
            assertEquals(0, count("SELECT count(*) FROM device_sessions WHERE device_id = ANY($1)", held),
                    "a key named under another VPC holds nothing");
        }
        try (InputStream here = openNaming(user, vpc, device.publicKey()).body()) {
            assertEquals(1, count("SELECT count(*) FROM device_sessions WHERE device_id = ANY($1)", held),
                    "the stream naming the key in its VPC holds the device");
        }
    }

    /** The user's stream on {@code POST /api/vpcs/{vpc}/events?public_key=}, at its tail (its session row written). */
    private HttpResponse<InputStream> openNaming(String user, String vpc, String publicKey) throws Exception {
        String key = java.net.URLEncoder.encode(publicKey, java.nio.charset.StandardCharsets.UTF_8);
        return atTail(open("api/vpcs/" + vpc + "/events?public_key=" + key, TestTokens.bearer(user),
                watches("security-group", vpc, 0, false)));
    }

    /**
     * A flip keeps the device's revision: a watcher of the VPC's devices at its tail hears nothing of it (the device's own
     * stream watches another kind, so nothing else reads the devices' feed), a {@code gt_revision} list from before it
     * is empty; the device's next real change (here its hostname, written and signalled as update-device does) is the
     * watcher's first event, and carries the status as it is then. Before V13 the flip itself was that first event.
     */
    @Test
    void aFlipIsPresenceNotAChangeThePeersWatch() throws Exception {
        String user = TestUsers.unique("observer");
        String vpc = vpcOf(user);
        TestDevices.Seeded device = device(vpc);
        long seen = row(device.id()).getLong("revision");
        HttpResponse<InputStream> watcher = open(TestTokens.bearer(user), watches("device", vpc, seen, true)).get(10, TimeUnit.SECONDS);
        HttpResponse<InputStream> held = null;
        try {
            assertEquals(200, watcher.statusCode());
            CompletableFuture<JsonObject> next = firstEvent(watcher.body());
            held = deviceStream(device, vpc);
            within(EVENTUALLY, "online once its stream is open", () -> online(device.id()));
            assertEquals(seen, row(device.id()).getLong("revision"), "the flip drew no revision");
            assertEquals(List.of(), given().header("Authorization", TestTokens.bearer(user))
                    .queryParam("gt_revision", seen).get("/api/vpcs/" + vpc + "/devices")
                    .then().statusCode(200).extract().jsonPath().getList("$"), "nothing changed after " + seen);

            db.preparedQuery("WITH d AS (UPDATE devices SET hostname = 'renamed' WHERE id = $1 RETURNING 1)"
                            + " SELECT pg_notify($2, $3) FROM d")
                    .execute(Tuple.of(UUID.fromString(device.id()), Signals.CHANNEL, Signals.devices(UUID.fromString(vpc))))
                    .await().indefinitely();
            JsonObject event = next.get(20, TimeUnit.SECONDS);
            assertEquals("change", event.getString("type"), event.encode());
            JsonObject changed = event.getJsonObject("value");
            assertEquals(device.id() + " renamed online=true",
                    changed.getString("id") + " " + changed.getString("hostname") + " online=" + changed.getBoolean("online"),
                    "the first event is the real change, with the status as it is: " + event.encode());
            assertTrue(changed.getLong("revision") > seen, "a real change draws a revision");
            List<Map<String, Object>> delta = given().header("Authorization", TestTokens.bearer(user))
                    .queryParam("gt_revision", seen).get("/api/vpcs/" + vpc + "/devices")
                    .then().statusCode(200).extract().jsonPath().getList("$");
            assertEquals(List.of(device.id() + " online=true"),
                    delta.stream().map(m -> m.get("id") + " online=" + m.get("online")).toList());
        } finally {
            watcher.body().close();
            if (held != null) {
                held.body().close();
            }
        }
    }

    /** A session row as a stream (of this replica or another) holds it, and the device queued as its opening queues it. */
    private void holdAndQueue(TestDevices.Seeded device, String vpc) {
        db.preparedQuery("INSERT INTO device_sessions (stream_id, device_id, replica) VALUES ($1, $2, 'elsewhere')")
                .execute(Tuple.of(UUID.randomUUID(), UUID.fromString(device.id()))).await().indefinitely();
        flips.queue(UUID.fromString(device.id()));
    }

    /**
     * A deleted device is never marked online, though a stream may still hold it until its next re-check; one that was
     * online when it was deleted is marked offline once nothing holds it ({@code OnlineFlips.WRITE}).
     */
    @Test
    void aDeletedDeviceIsNeverMarkedOnlineOnlyOffline() {
        String vpc = vpcOf(TestUsers.unique("deleted"));
        TestDevices.Seeded held = device(vpc);
        TestDevices.Seeded wasOnline = device(vpc);
        db.preparedQuery("UPDATE devices SET deleted_at = now(), online = (id = $2) WHERE id = ANY($1)")
                .execute(Tuple.of(new UUID[] {UUID.fromString(held.id()), UUID.fromString(wasOnline.id())},
                        UUID.fromString(wasOnline.id())))
                .await().indefinitely();
        holdAndQueue(held, vpc);
        flips.queue(UUID.fromString(wasOnline.id()));
        flips.flush().await().indefinitely();
        assertEquals("held online=false, was online online=false",
                "held online=" + online(held.id()) + ", was online online=" + online(wasOnline.id()));
    }

    /** A replica told to stop writes what it queued then, not at a next flush that will not come. */
    @Test
    void aStoppingReplicaWritesWhatItQueued() {
        String vpc = vpcOf(TestUsers.unique("stopping"));
        TestDevices.Seeded device = device(vpc);
        holdAndQueue(device, vpc);
        flips.stop(new ShutdownEvent());
        assertTrue(online(device.id()), "written before the replica goes");
    }

    /**
     * A flush that fails (here: cancelled while it waits for a row another transaction holds) loses nothing: its
     * devices are queued again and written at a later flush.
     */
    @Test
    void aFailedFlushIsRetried() throws Exception {
        String vpc = vpcOf(TestUsers.unique("retried"));
        TestDevices.Seeded device = device(vpc);
        SqlConnection holder = db.getConnection().await().indefinitely();
        Transaction holding = holder.begin().await().indefinitely();
        try {
            // as a single-device writer (update-device) holds it; NO KEY: the session row's foreign key gets through
            holder.preparedQuery("SELECT 1 FROM devices WHERE id = $1 FOR NO KEY UPDATE")
                    .execute(Tuple.of(UUID.fromString(device.id()))).await().indefinitely();
            holdAndQueue(device, vpc);
            Integer[] waiting = new Integer[1];
            within(EVENTUALLY, "a flush waiting for the held row", () -> {
                for (Row r : db.query("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE 'SELECT id FROM devices WHERE id = ANY%'").execute().await().indefinitely()) {
                    waiting[0] = r.getInteger(0);
                }
                return waiting[0] != null;
            });
            assertTrue(db.preparedQuery("SELECT pg_cancel_backend($1)").execute(Tuple.of(waiting[0])).await().indefinitely()
                    .iterator().next().getBoolean(0), "cancelled");
        } finally {
            holding.rollback().await().indefinitely();
            holder.close().await().indefinitely();
        }
        within(EVENTUALLY, "written by a later flush", () -> online(device.id()));
    }
}
