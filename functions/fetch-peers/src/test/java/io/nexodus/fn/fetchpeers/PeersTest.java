package io.nexodus.fn.fetchpeers;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.model.TunnelIp;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestDevices;
import io.nexodus.testing.TestTokens;
import io.nexodus.testing.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * fetch-peers' peer list ({@code GET /api/vpcs/{id}/devices}, Funqy {@code list-peers}) and a watch's catch-up
 * from {@code gt_revision}, against a real PostgreSQL. Devices, which other functions register, update and
 * delete, are written directly (their writes signal the VPC's watchers as those functions' writes do).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PeersTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    /** Provisions the user by a first request (the list of a VPC that is not theirs: 404); their id is their default VPC's. */
    private String provision(String user) {
        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + UUID.randomUUID() + "/devices")
                .then().statusCode(404).body("resource", equalTo("vpc"));
        return TestUsers.idOf(db, user);
    }

    private static final AtomicInteger DEVICES = new AtomicInteger();

    /** A device in {@code vpc} (addresses made up: this function only shows them). */
    private TestDevices.Seeded device(String owner, String vpc) {
        int n = DEVICES.incrementAndGet();
        return TestDevices.insert(db, owner, vpc, new TunnelIp("100.64.0." + n, "100.64.0.0/10"),
                new TunnelIp("200::" + Integer.toHexString(n), "200::/64"));
    }

    private long revision(String deviceId) {
        return db.preparedQuery("SELECT revision FROM devices WHERE id = $1").execute(Tuple.of(UUID.fromString(deviceId)))
                .await().indefinitely().iterator().next().getInteger(0);
    }

    private void delete(String deviceId) {
        // as the devices function deletes: soft, which bumps the revision, with the signal to the VPC's watchers
        db.preparedQuery("WITH d AS (UPDATE devices SET deleted_at = now() WHERE id = $1 RETURNING vpc_id)"
                        + " SELECT pg_notify('signalbus', '/devices/vpc=' || vpc_id) FROM d")
                .execute(Tuple.of(UUID.fromString(deviceId))).await().indefinitely();
    }

    @Test
    void theListShowsTheVpcsLiveDevicesWithoutTokensToMembersOnly() {
        String user = TestUsers.unique("alice");
        String vpc = provision(user);
        TestDevices.Seeded a = device(vpc, vpc);
        TestDevices.Seeded b = device(vpc, vpc);
        delete(device(vpc, vpc).id());
        String stranger = TestUsers.unique("mallory");
        String strangersVpc = provision(stranger);
        device(strangersVpc, strangersVpc);

        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).header("X-Total-Count", "2").body("id", containsInAnyOrder(a.id(), b.id()))
                .body("bearer_token", everyItem(nullValue()));
        // a device lists its peers with its own token, and sees no token either, not even its own
        given().header("Authorization", a.bearer()).get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).body("id", containsInAnyOrder(a.id(), b.id())).body("bearer_token", everyItem(nullValue()));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + vpc + "\"}").post("/list-peers")
                .then().statusCode(200).body("id", containsInAnyOrder(a.id(), b.id()));

        given().header("Authorization", TestTokens.bearer(stranger)).get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(404).body("resource", equalTo("vpc"));
        given().header("Authorization", TestTokens.bearer(stranger)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + vpc + "\"}").post("/list-peers").then().statusCode(404);
    }

    /** The list is sent from a cursor in batches of {@link FetchPeers#STREAM_BATCH}: across and at their edges. */
    @Test
    void aListOfManyBatchesArrivesWholeAndInOrderAtEveryBatchEdge() {
        String user = TestUsers.unique("erin");
        String vpc = provision(user);
        int batch = FetchPeers.STREAM_BATCH;
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < 2 * batch + 7; n++) {
            ids.add(TestDevices.insert(db, vpc, vpc, new TunnelIp("100.64." + (n / 250) + "." + (n % 250 + 1), "100.64.0.0/10"),
                    new TunnelIp("200::1:" + Integer.toHexString(n), "200::/64")).id());
        }
        assertWholeListInHostnameOrder(user, vpc, 2 * batch + 7);
        // a delta (what changed after a revision) at the batch edge, both ways, one row and none: counted and listed alike
        assertDelta(user, vpc, ids.get(ids.size() - batch - 1), ids.subList(ids.size() - batch, ids.size()));
        assertDelta(user, vpc, ids.get(ids.size() - batch - 2), ids.subList(ids.size() - batch - 1, ids.size()));
        assertDelta(user, vpc, ids.get(ids.size() - 2), ids.subList(ids.size() - 1, ids.size()));
        assertDelta(user, vpc, ids.get(ids.size() - 1), List.of());
        // exactly two batches: the cursor's last read finds no row, which must not become an empty element
        ids.subList(0, 7).forEach(this::delete);
        assertWholeListInHostnameOrder(user, vpc, 2 * batch);
        // a page of it, and the Funqy binding (not streamed) agreeing on the same rows
        given().header("Authorization", TestTokens.bearer(user)).queryParam("range", "[10,19]")
                .get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).header("X-Total-Count", String.valueOf(2 * batch)).body("size()", equalTo(10));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + vpc + "\"}").post("/list-peers")
                .then().statusCode(200).body("size()", equalTo(2 * batch));
        // no device at all: an empty array, not an empty body
        String empty = TestUsers.unique("frank");
        String emptyVpc = provision(empty);
        assertEquals("[]", given().header("Authorization", TestTokens.bearer(empty)).get("/api/vpcs/" + emptyVpc + "/devices")
                .then().statusCode(200).header("X-Total-Count", "0").extract().asString());
    }

    /** The list after {@code afterId}'s revision: {@code expected}, in revision order, and counted so. */
    private void assertDelta(String user, String vpc, String afterId, List<String> expected) {
        io.restassured.response.Response listed = given().header("Authorization", TestTokens.bearer(user))
                .queryParam("gt_revision", revision(afterId)).get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).header("X-Total-Count", String.valueOf(expected.size())).extract().response();
        assertEquals(expected, listed.jsonPath().getList("id"), "the delta after " + afterId);
        if (expected.isEmpty()) {
            assertEquals("[]", listed.asString());
        }
    }

    private void assertWholeListInHostnameOrder(String user, String vpc, int expected) {
        io.restassured.response.Response listed = given().header("Authorization", TestTokens.bearer(user))
                .get("/api/vpcs/" + vpc + "/devices").then().statusCode(200).contentType(ContentType.JSON)
                .header("X-Total-Count", String.valueOf(expected)).extract().response();
        List<String> hostnames = listed.jsonPath().getList("hostname");
        List<String> listedIds = listed.jsonPath().getList("id");
        assertEquals(expected, listedIds.size());
        assertEquals(expected, new java.util.HashSet<>(listedIds).size(), "a device listed twice");
        assertEquals(hostnames.stream().sorted().toList(), hostnames, "not in hostname order");
        List<String> live = new ArrayList<>();
        db.preparedQuery("SELECT id FROM devices WHERE vpc_id = $1 AND deleted_at IS NULL").execute(Tuple.of(UUID.fromString(vpc)))
                .await().indefinitely().forEach(row -> live.add(row.getUUID(0).toString()));
        assertEquals(new java.util.HashSet<>(live), new java.util.HashSet<>(listedIds));
    }

    /**
     * A client that goes away in the middle of a list gives its cursor's connection back: more abandoned lists than
     * the pool has connections, then the function still answers and no transaction is left open.
     */
    @Test
    void listsAbandonedMidwayGiveTheirConnectionsBack() throws Exception {
        String user = TestUsers.unique("grace");
        String vpc = provision(user);
        for (int n = 0; n < 3 * FetchPeers.STREAM_BATCH; n++) {
            TestDevices.insert(db, vpc, vpc, new TunnelIp("100.65." + (n / 250) + "." + (n % 250 + 1), "100.64.0.0/10"),
                    new TunnelIp("200::2:" + Integer.toHexString(n), "200::/64"));
        }
        for (int i = 0; i < 20; i++) {
            // the server sees a client's close a moment after it happens: until then the previous lists still hold
            // their places (a 503), so each list may wait for them; a place that never came back fails here
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String status;
            while (!(status = abandonAList(vpc, user)).equals("HTTP/1.1 200 OK") && System.nanoTime() < deadline) {
                assertEquals("HTTP/1.1 503 Service Unavailable", status);
                sleep(50);
            }
            assertEquals("HTTP/1.1 200 OK", status, "list " + i + " after " + i + " abandoned ones");
        }
        given().header("Authorization", TestTokens.bearer(user)).queryParam("range", "[0,0]").get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).header("X-Total-Count", String.valueOf(3 * FetchPeers.STREAM_BATCH));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long open;
        do {
            open = db.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'")
                    .execute().await().indefinitely().iterator().next().getLong(0);
        } while (open > 0 && System.nanoTime() < deadline && sleep(100));
        assertEquals(0, open, "transactions of abandoned lists still open");
    }

    /**
     * A raw socket that reads the status line, the headers and the first bytes of the body of the VPC's list, then
     * closes: a client that went away, not one that drained it. @return the status line
     */
    private String abandonAList(String vpc, String user) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write(("GET /api/vpcs/" + vpc + "/devices HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                    + TestTokens.bearer(user) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String status = reader.readLine();
            String line;
            do {
                line = reader.readLine();
            } while (line != null && !line.isEmpty());
            if ("HTTP/1.1 200 OK".equals(status)) {
                char[] first = new char[64];
                assertTrue(reader.read(first, 0, 64) > 0, "no body");
            }
            return status;
        }
    }

    /**
     * Lists longer than a batch hold a connection while their client reads: no more than
     * {@code nexodus.store.max-open-cursors} (2) at once per replica, so they cannot take the pool from watch streams;
     * one more is a 503 with Retry-After, a short list still answers, and the places come back when the clients go.
     */
    @Test
    void longListsHoldAtMostTwoConnectionsAndAThirdIsTurnedAwayUntilOneEnds() throws Exception {
        String user = TestUsers.unique("heidi");
        String vpc = provision(user);
        // enough rows (~20 MB of JSON) that an answer nobody reads fills the sockets and waits, its cursor open
        db.preparedQuery("INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, hostname, os, token_hash,"
                        + " ipv4_tunnel_ips, endpoints)"
                        + " SELECT gen_random_uuid(), v.id, v.id, v.organization_id, 'bulk-' || n || '-' || v.id,"
                        + " 'bulk-' || lpad(n::text, 6, '0'), 'linux', sha256(('bulk-' || n || '-' || v.id)::bytea),"
                        + " '[{\"address\":\"100.66.0.1\",\"cidr\":\"100.64.0.0/10\"}]',"
                        + " '[{\"source\":\"local\",\"address\":\"172.17.0.3:51820\"}]'"
                        + " FROM vpcs v, generate_series(1, 30000) n WHERE v.id = $1")
                .execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely();
        List<java.net.Socket> unread = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                unread.add(listNobodyReads(user, vpc));
            }
            given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + vpc + "/devices")
                    .then().statusCode(503).header("Retry-After", "1").body("error", equalTo("service unavailable"));
            // a list of one batch or less is read by one statement and needs no place
            given().header("Authorization", TestTokens.bearer(user)).queryParam("range", "[0,9]").get("/api/vpcs/" + vpc + "/devices")
                    .then().statusCode(200).header("X-Total-Count", "30000").body("size()", equalTo(10));
        } finally {
            for (java.net.Socket socket : unread) {
                socket.close();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status;
        do {
            status = given().header("Authorization", TestTokens.bearer(user)).queryParam("range", "[0,999]")
                    .get("/api/vpcs/" + vpc + "/devices").then().extract().statusCode();
        } while (status != 200 && System.nanoTime() < deadline && sleep(100));
        assertEquals(200, status, "the places of lists whose clients went away did not come back");
    }

    /** Asks for a VPC's whole list and reads only the status line: the answer stays open, its cursor with it. */
    private java.net.Socket listNobodyReads(String user, String vpc) throws Exception {
        java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort());
        socket.setReceiveBufferSize(4096);
        socket.getOutputStream().write(("GET /api/vpcs/" + vpc + "/devices HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                + TestTokens.bearer(user) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] status = new byte[12];
        assertEquals(12, socket.getInputStream().readNBytes(status, 0, 12));
        assertEquals("HTTP/1.1 200", new String(status, StandardCharsets.US_ASCII));
        return socket;
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    @Test
    void gtRevisionListsOnlyWhatChangedAfterItDeletionsIncluded() {
        String user = TestUsers.unique("bob");
        String vpc = provision(user);
        TestDevices.Seeded a = device(vpc, vpc);
        TestDevices.Seeded b = device(vpc, vpc);
        long seen = revision(b.id());
        TestDevices.Seeded c = device(vpc, vpc);
        delete(a.id());

        // in revision order: the new device, then the deleted one's tombstone
        given().header("Authorization", TestTokens.bearer(user)).queryParam("gt_revision", seen)
                .get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).body("id", equalTo(List.of(c.id(), a.id())));
        given().header("Authorization", TestTokens.bearer(user)).contentType(ContentType.JSON)
                .body("{\"id\":\"" + vpc + "\",\"gt_revision\":" + revision(a.id()) + "}").post("/list-peers")
                .then().statusCode(200).body("id", equalTo(List.of()));
        // without it: the live devices only
        given().header("Authorization", TestTokens.bearer(user)).get("/api/vpcs/" + vpc + "/devices")
                .then().statusCode(200).body("id", containsInAnyOrder(b.id(), c.id()));
        given().header("Authorization", TestTokens.bearer(user)).queryParam("gt_revision", 1L + Integer.MAX_VALUE)
                .get("/api/vpcs/" + vpc + "/devices").then().statusCode(400).body("field", equalTo("gt_revision"));
    }

    @Test
    void aWatchCatchesUpFromItsRevisionThenHearsTheNextChange() throws Exception {
        String user = TestUsers.unique("carol");
        String vpc = provision(user);
        TestDevices.Seeded a = device(vpc, vpc);
        long seen = revision(a.id());
        TestDevices.Seeded b = device(vpc, vpc);
        String watches = "[{\"kind\":\"device\",\"gt_revision\":" + seen + ",\"at_tail\":false,\"options\":{\"vpc-id\":\""
                + vpc + "\"}}]";
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(
                // the user's token: a device's own would open a session of its own, which this test does not need
                HttpRequest.newBuilder(URI.create(base + "api/events")).header("Authorization", TestTokens.bearer(user))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(watches)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertEquals(200, stream.statusCode());
            // what changed after the cursor (b, not a), then the tail
            List<JsonObject> replay = reader.submit(() -> {
                List<JsonObject> events = new ArrayList<>();
                do {
                    events.add(new JsonObject(lines.readLine()));
                } while (!"tail".equals(events.get(events.size() - 1).getString("type")));
                return events;
            }).get(10, TimeUnit.SECONDS);
            assertEquals(2, replay.size(), replay.toString());
            assertEquals("change", replay.get(0).getString("type"));
            assertEquals(b.id(), replay.get(0).getJsonObject("value").getString("id"));
            assertNull(replay.get(0).getJsonObject("value").getString("bearer_token"), "a watch carries no token");

            delete(b.id());
            JsonObject deleted = reader.submit(() -> new JsonObject(lines.readLine())).get(10, TimeUnit.SECONDS);
            assertEquals("delete", deleted.getString("type"), deleted.encode());
            assertEquals(b.id(), deleted.getJsonObject("value").getString("id"));
        } finally {
            reader.shutdownNow();
        }
    }

    /**
     * A client resuming at its tail (nexd after every stream end: its last revision and {@code at_tail: true}) has
     * nothing to catch up, so the stream's first byte may be minutes away. Its status and headers must not wait for
     * it: nexd's and the simulator's request returns only with the headers, and Knative's queue-proxy may cut a
     * request whose response has not started. Found by the fleet simulator (bench/fleet): after a restart of
     * fetch-peers no resumed agent saw its stream open until the next change.
     */
    @Test
    void aStreamResumedAtItsTailAnswersItsHeadersAtOnce() throws Exception {
        String user = TestUsers.unique("dave");
        String vpc = provision(user);
        TestDevices.Seeded a = device(vpc, vpc);
        String watches = "[{\"kind\":\"device\",\"gt_revision\":" + revision(a.id()) + ",\"at_tail\":true,\"options\":{\"vpc-id\":\""
                + vpc + "\"}}]";
        java.util.concurrent.CompletableFuture<HttpResponse<InputStream>> answer = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(base + "api/events")).header("Authorization", TestTokens.bearer(user))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(watches)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> stream;
        try {
            stream = answer.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            answer.cancel(true);
            throw new AssertionError("no status and headers within 5 s of a resume with nothing new", e);
        }
        try (InputStream body = stream.body()) {
            assertEquals(200, stream.statusCode());
            assertEquals("application/json;stream=watch", stream.headers().firstValue("Content-Type").orElse(""));
        }
    }
}
