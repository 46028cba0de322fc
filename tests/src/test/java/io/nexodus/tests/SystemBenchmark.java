package io.nexodus.tests;

import static io.restassured.RestAssured.given;

import io.nexodus.shared.crypto.BearerTokens;
import io.nexodus.shared.device.StoredDevice;
import io.nexodus.shared.devices.DeviceAddresses;
import io.nexodus.shared.devices.DeviceFields;
import io.nexodus.shared.ipam.IpamClient;
import io.nexodus.shared.model.Vpc;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The load run of the device path and fetch-peers, on the real stack in one process (all functions, the
 * IPAM server, a real PostgreSQL): register-device throughput against the same SQL + IPAM calls issued
 * directly, update-device latency, the peer list of a 10,000-device VPC against its SQL, a delta after
 * one change, and one change fanned out to 1,000 open watch streams. Bounded; prints its figures. Off
 * unless {@code -Dnexodus.benchmark=true} ({@code mvn -B -pl tests -am verify -Pbenchmark}); with
 * {@code -Dnexodus.benchmark.events=true} the outbound events are sent to a sink in its own process
 * ({@link SinkProcess}) and the relay's cost is printed beside the rates (docs/benchmarks.md).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = SystemBenchmark.SinkWhenEventsOn.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@WithTestResource(value = SystemBenchmark.OneCallerOpensEveryStream.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
@EnabledIfSystemProperty(named = "nexodus.benchmark", matches = "true")
class SystemBenchmark {

    /**
     * The fan-out pass opens all its streams with one user's token: it measures delivery to many streams, not
     * the per-credential cap (StreamQuota), which would refuse the 101st.
     */
    public static class OneCallerOpensEveryStream implements QuarkusTestResourceLifecycleManager {
        @Override
        public java.util.Map<String, String> start() {
            return java.util.Map.of("nexodus.watch.max-streams-per-credential", Integer.toString(WATCHERS + 10));
        }

        @Override
        public void stop() {
        }
    }

    /**
     * A real sink (events on: every registration's event is sent) only when the run asks for events: a
     * {@link SinkProcess} in its own JVM, as the Broker is another pod in production, so that receiving the
     * events is not counted as the function's work (an in-JVM sink parsing every event with the SDK was).
     */
    public static class SinkWhenEventsOn implements QuarkusTestResourceLifecycleManager {
        static volatile Process process;
        static volatile java.net.URI countUri;

        @Override
        public java.util.Map<String, String> start() {
            if (!Boolean.getBoolean("nexodus.benchmark.events")) {
                return java.util.Map.of();
            }
            try {
                String classes = java.nio.file.Path.of(SinkProcess.class.getProtectionDomain().getCodeSource()
                        .getLocation().toURI()).toString();
                String javaCommand = ProcessHandle.current().info().command().orElse("java");
                // a small, quick JVM: C1 only, serial GC, a small heap (it keeps nothing)
                process = new ProcessBuilder(javaCommand, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                        "-cp", classes, SinkProcess.class.getName())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String port = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII)).readLine();
                if (port == null) {
                    throw new IllegalStateException("the sink process ended before it listened");
                }
                String sink = "http://127.0.0.1:" + port.trim() + "/";
                countUri = java.net.URI.create(sink + "count");
                return java.util.Map.of("nexodus.events.sink", sink);
            } catch (java.io.IOException | java.net.URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            if (process != null) {
                process.destroy();
            }
        }

        /** What the sink process received so far: {events, its CPU time in ms}. */
        static long[] counts() throws Exception {
            String answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(countUri).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            String[] parts = answer.trim().split(" ");
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        }
    }

    static final int REGISTRATIONS = Integer.getInteger("nexodus.benchmark.registrations", 1_000);
    static final int THREADS = Integer.getInteger("nexodus.benchmark.threads", 8);
    static final int PEERS = Integer.getInteger("nexodus.benchmark.peers", 10_000);
    static final int WATCHERS = Integer.getInteger("nexodus.benchmark.watchers", 1_000);
    /** Unmeasured passes of each kind before the measured ones (the JIT settles), and measured passes. */
    static final int WARMUP_PASSES = Integer.getInteger("nexodus.benchmark.warmup-passes", 3);
    static final int MEASURED_PASSES = Integer.getInteger("nexodus.benchmark.passes", 3);
    static final int LIST_RUNS = 15;
    /** Whether this run has a sink ({@code -Dnexodus.benchmark.events=true} sets K_SINK to a local receiver). */
    static final boolean EVENTS_ON = Boolean.getBoolean("nexodus.benchmark.events");

    @TestHTTPResource("/")
    URL base;

    @Inject
    Pool db;

    @Inject
    IpamClient ipam;

    @Inject
    Vertx vertx;

    @Test
    void run() throws Exception {
        System.out.printf("%n== nexodus system benchmark (%d cores, events %s) ==%n", Runtime.getRuntime().availableProcessors(),
                EVENTS_ON ? "on: sent to a local sink" : "off: no sink");
        String user = Nexd.user("bench");
        String vpc = Nexd.defaultVpc(user);
        String bearer = TestTokens.bearer(user);
        registerThroughput(user, bearer, vpc);
        updateLatency(bearer, vpc);
        String bigVpc = bulkVpc(user);
        listLatency(bearer, bigVpc);
        fanOut(bearer, bigVpc);
    }

    /** register-device over HTTP vs. the same work (two IPAM acquisitions + one INSERT) issued directly. */
    private void registerThroughput(String userName, String bearer, String vpc) throws Exception {
        Vpc target = Vpc.from(db.preparedQuery("SELECT " + Vpc.COLUMNS + " FROM vpcs v WHERE v.id = $1")
                .execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely().iterator().next());
        new Nexd().register(bearer, vpc, "").then().statusCode(201); // warm-up, creates the shared namespace
        // keys made beforehand and a plain HTTP client: only the server's work is timed
        List<Nexd> agents = new ArrayList<>();
        for (int i = 0; i < 2 * (WARMUP_PASSES + MEASURED_PASSES) * REGISTRATIONS; i++) {
            agents.add(new Nexd());
        }
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.net.URI uri = java.net.URI.create(base.toString() + "api/devices");
        Body viaHttp = i -> {
            var response = client.send(java.net.http.HttpRequest.newBuilder(uri).header("Authorization", bearer)
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"vpc_id\":\"" + vpc + "\",\"public_key\":\""
                            + agents.get(i).publicKey + "\",\"hostname\":\"bench\",\"os\":\"linux\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new AssertionError(response.statusCode() + " " + response.body());
            }
        };
        DeviceAddresses addresses = io.quarkus.arc.Arc.container().instance(DeviceAddresses.class).get();
        // the baseline issues the same SQL and IPAM calls as the function, straight from here: the user's
        // profile read, the precondition query, the two acquisitions, the insert with its signal
        String subject = UUID.nameUUIDFromBytes(userName.getBytes()).toString();
        UUID owner = UUID.fromString(vpc);
        Body sameCallsDirect = i -> {
            Nexd nexd = agents.get(i);
            db.preparedQuery(io.nexodus.shared.identity.UserProvisioner.PROFILE_SQL)
                    .execute(Tuple.of(io.nexodus.testing.TestTokens.ISSUER, subject, null))
                    .await().indefinitely();
            db.preparedQuery(io.nexodus.fn.registerdevice.RegisterDevice.PRECONDITIONS_SQL)
                    .execute(Tuple.of(owner, nexd.publicKey, null, owner)).await().indefinitely();
            var allocation = addresses.allocate(target, null, List.of()).await().indefinitely();
            db.preparedQuery(io.nexodus.fn.registerdevice.RegisterDevice.INSERT_SQL)
                    .execute(Tuple.from(Arrays.asList(UUID.randomUUID(), owner, owner, owner, nexd.publicKey,
                            allocation.allowedIps(false).toArray(String[]::new), DeviceFields.json(List.of(allocation.ipv4())),
                            DeviceFields.json(List.of(allocation.ipv6())), new String[0], false, false, "bench", "linux",
                            DeviceFields.json(List.of()), owner, null, BearerTokens.hash(BearerTokens.newDeviceToken()),
                            null, "signalbus", "/devices/vpc=" + vpc, false, null,
                            // its event row, as the function writes it (events on: pending)
                            UUID.randomUUID(), owner, "io.nexodus.device.registered", "/nexodus/register-device",
                            owner.toString(), owner, "user_token", "{}", EVENTS_ON,
                            null /* traceparent: tracing is off here, as in the function */)))
                    .await().indefinitely();
        };
        // unmeasured passes of each first, until the JIT has mostly settled: after one pass of 1,000 the
        // compiler threads still took ~40 % of this JVM's CPU in the measured pass (docs/benchmarks.md)
        // events on: every pass starts with an empty outbox (the sends a pass caused are not the next one's
        // work; the direct passes' rows, which no request kicks, are sent in between, untimed)
        int n = REGISTRATIONS;
        int[] next = {0};
        for (int pass = 0; pass < WARMUP_PASSES; pass++) {
            int base = next[0];
            rate(n, i -> viaHttp.run(base + i));
            outboxEmpty(true);
            rate(n, i -> sameCallsDirect.run(base + n + i));
            next[0] += 2 * n;
            outboxEmpty(true);
        }
        List<Double> viaFunction = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        List<Double> drainCpu = new ArrayList<>();
        CpuMeter function = new CpuMeter();
        CpuMeter baseline = new CpuMeter();
        long sinkEvents = 0;
        long sinkCpuMs = 0;
        for (int pass = 0; pass < MEASURED_PASSES; pass++) {
            int base = next[0];
            next[0] += 2 * n;
            long seqBefore = lastSeq();
            long[] sinkBefore = EVENTS_ON ? SinkWhenEventsOn.counts() : null;
            function.start();
            viaFunction.add(rate(n, i -> viaHttp.run(base + i)));
            long answered = System.nanoTime();
            long drainedAfterMs = (outboxEmpty(true) - answered) / 1_000_000;
            function.stop();
            // what the sink took for this pass, before the direct pass adds rows
            long[] sinkAfter = EVENTS_ON ? SinkWhenEventsOn.counts() : null;
            if (EVENTS_ON) {
                // at least once: every registration's event reached the sink (a resend may add one)
                if (sinkAfter[0] - sinkBefore[0] < n) {
                    throw new AssertionError("the sink received " + (sinkAfter[0] - sinkBefore[0]) + " events for " + n
                            + " registrations");
                }
                sinkEvents += sinkAfter[0] - sinkBefore[0];
                sinkCpuMs += sinkAfter[1] - sinkBefore[1];
            }
            baseline.start();
            direct.add(rate(n, i -> sameCallsDirect.run(base + n + i)));
            baseline.stop();
            if (EVENTS_ON) {
                // a round marks what it delivered in one statement of one transaction: one delivered_at per round
                long rounds = db.preparedQuery("SELECT count(DISTINCT delivered_at) FROM events WHERE seq > $1"
                        + " AND type = 'io.nexodus.device.registered' AND source = '/nexodus/register-device'"
                        + " AND delivered_at IS NOT NULL").execute(Tuple.of(seqBefore)).await().indefinitely().iterator()
                        .next().getLong(0);
                // the direct pass's rows, which no request kicked: the relay's own cost per event, in one drain
                CpuMeter drain = new CpuMeter();
                drain.start();
                long drainStart = System.nanoTime();
                // nothing kicked the relay since the last wait: no round to wait out
                long drainMs = (outboxEmpty(false) - drainStart) / 1_000_000;
                drain.stop();
                drainCpu.add(drain.jvmMs() / n);
                System.out.printf("pass %d events: %d received by the sink process (of %d; its CPU %.2f ms per event), the"
                        + " last %d ms after the last answer, %d relay rounds; then %d pending drained in %d ms: this JVM's"
                        + " CPU %.2f ms per event (%s), PostgreSQL's %.2f ms%n", pass + 1, sinkAfter[0] - sinkBefore[0], n,
                        (double) (sinkAfter[1] - sinkBefore[1]) / n, drainedAfterMs, rounds, n, drainMs,
                        drain.jvmMs() / n, drain.byThread(n), drain.postgresMs() / n);
            }
            System.out.printf("pass %d: %.0f/s via the function, %.0f/s direct%n", pass + 1, viaFunction.get(pass),
                    direct.get(pass));
        }
        int total = n * MEASURED_PASSES;
        System.out.printf("register-device: %.0f/s via the function (HTTP), %.0f/s the same SQL + IPAM calls issued directly"
                + " -> %.0f %%  (medians of %d passes of %d each, after %d unmeasured passes of each, %d threads)%n",
                medianOf(viaFunction), medianOf(direct), 100 * medianOf(viaFunction) / medianOf(direct), MEASURED_PASSES,
                n, WARMUP_PASSES, THREADS);
        System.out.printf("register-device: this JVM's CPU per registration %.2f ms via the function (%s), %.2f ms direct"
                + " (the benchmark's clients included)%n", function.jvmMs() / total, function.byThread(total),
                baseline.jvmMs() / total);
        System.out.printf("register-device: PostgreSQL's CPU per registration %.2f ms via the function, %.2f ms direct%n",
                function.postgresMs() / total, baseline.postgresMs() / total);
        // on this machine the three share the cores, so their sum is what bounds the rate
        System.out.printf("register-device: CPU per registration via the function, this JVM + PostgreSQL + the sink"
                + " process: %.2f ms (%d events received)%n", (function.jvmMs() + function.postgresMs() + sinkCpuMs) / total,
                sinkEvents);
        if (EVENTS_ON) {
            System.out.printf("relay: this JVM's CPU per event in one drain of %d, median of %d: %.2f ms%n", n,
                    MEASURED_PASSES, medianOf(drainCpu));
        }
    }

    private long lastSeq() {
        return db.query("SELECT coalesce(max(seq), 0) FROM events").execute().await().indefinitely().iterator().next()
                .getLong(0);
    }

    /**
     * Events on: waits until every pending event went and returns when it first saw none pending
     * ({@link System#nanoTime}); with {@code settle}, also waits out a round the requests kicked.
     */
    private long outboxEmpty(boolean settle) throws InterruptedException {
        if (!EVENTS_ON) {
            return System.nanoTime();
        }
        io.nexodus.shared.events.OutboxRelay relay = io.quarkus.arc.Arc.container()
                .instance(io.nexodus.shared.events.OutboxRelay.class).get();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            relay.drain().await().indefinitely();
            long pending = pendingEvents();
            if (pending == 0 && !settle) {
                return System.nanoTime();
            }
            if (pending == 0) {
                long empty = System.nanoTime();
                // a round the requests kicked may still be waiting out the relay's interval: let it run now,
                // not during the next (direct) pass, whose rows it would send
                Thread.sleep(3 * relayIntervalMs());
                if (pendingEvents() == 0) {
                    return empty;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the outbox was not drained within 60 s");
    }

    private long pendingEvents() {
        return db.query("SELECT count(*) FROM events WHERE pending").execute().await().indefinitely().iterator().next()
                .getLong(0);
    }

    private static long relayIntervalMs() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("nexodus.events.relay-interval", java.time.Duration.class).toMillis();
    }

    private static double medianOf(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private void updateLatency(String bearer, String vpc) {
        Nexd nexd = new Nexd();
        var device = nexd.register(bearer, vpc, "").then().statusCode(201).extract().jsonPath();
        String token = "Bearer " + nexd.open(device.getString("bearer_token"));
        String id = device.getString("id");
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            long t = System.nanoTime();
            given().header("Authorization", token).contentType(ContentType.JSON)
                    .body("{\"endpoints\":[{\"source\":\"stun\",\"address\":\"1.2.3." + (i % 250) + ":51820\"}]}")
                    .patch("/api/devices/" + id).then().statusCode(200);
            micros.add((System.nanoTime() - t) / 1000);
        }
        System.out.printf("update-device (PATCH endpoints, device token, sequential): %s%n", stats(micros));
    }

    /** A VPC with PEERS devices, written by SQL (their addresses are made up: only listing is measured). */
    private String bulkVpc(String user) {
        UUID owner = UUID.fromString(Nexd.defaultVpc(user));
        UUID vpc = UUID.randomUUID();
        db.preparedQuery("INSERT INTO vpcs (id, organization_id, description, ipv4_cidr, ipv6_cidr)"
                + " VALUES ($1, $2, 'big', '100.64.0.0/10', '200::/64')").execute(Tuple.of(vpc, owner)).await().indefinitely();
        db.preparedQuery("INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, allowed_ips,"
                        + " ipv4_tunnel_ips, ipv6_tunnel_ips, hostname, os, endpoints, token_hash)"
                        + " SELECT gen_random_uuid(), $1, $2, $1, 'key-' || g, ARRAY['100.65.' || (g / 250) || '.' || (g % 250) || '/32'],"
                        + " jsonb_build_array(jsonb_build_object('address', '100.65.' || (g / 250) || '.' || (g % 250), 'cidr', '100.64.0.0/10')),"
                        + " jsonb_build_array(jsonb_build_object('address', '200::' || to_hex(g), 'cidr', '200::/64')),"
                        + " 'host-' || g, 'linux', jsonb_build_array(jsonb_build_object('source', 'local', 'address', '10.0.0.1:51820')),"
                        + " sha256(('t' || g)::bytea) FROM generate_series(1, $3) g")
                .execute(Tuple.of(owner, vpc, PEERS)).await().indefinitely();
        db.query("ANALYZE devices").execute().await().indefinitely();
        return vpc.toString();
    }

    private void listLatency(String bearer, String vpc) throws Exception {
        List<Long> http = new ArrayList<>();
        List<Long> sql = new ArrayList<>();
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest list = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                base.toString() + "api/vpcs/" + vpc + "/devices")).header("Authorization", bearer).build();
        for (int i = 0; i < LIST_RUNS; i++) {
            long t = System.nanoTime();
            var response = client.send(list, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            http.add((System.nanoTime() - t) / 1000);
            if (response.statusCode() != 200 || !response.headers().firstValue("X-Total-Count").orElse("").equals("" + PEERS)) {
                throw new AssertionError("listed " + response.headers().firstValue("X-Total-Count"));
            }
            t = System.nanoTime();
            var rows = db.preparedQuery("SELECT " + StoredDevice.COLUMNS + " FROM devices d WHERE d.vpc_id = $1"
                    + " AND d.deleted_at IS NULL ORDER BY d.hostname").execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely();
            List<StoredDevice> mapped = new ArrayList<>();
            rows.forEach(r -> mapped.add(StoredDevice.from(r)));
            sql.add((System.nanoTime() - t) / 1000);
        }
        long maxRevision = db.preparedQuery("SELECT max(revision) FROM devices WHERE vpc_id = $1")
                .execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely().iterator().next().getLong(0);
        db.preparedQuery("UPDATE devices SET hostname = 'changed' WHERE id = (SELECT id FROM devices WHERE vpc_id = $1 LIMIT 1)")
                .execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely();
        List<Long> delta = new ArrayList<>();
        for (int i = 0; i < LIST_RUNS; i++) {
            long t = System.nanoTime();
            var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base.toString() + "api/vpcs/"
                    + vpc + "/devices?gt_revision=" + maxRevision)).header("Authorization", bearer).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            if (!"1".equals(response.headers().firstValue("X-Total-Count").orElse(""))) {
                throw new AssertionError("delta of " + response.headers().firstValue("X-Total-Count"));
            }
            delta.add((System.nanoTime() - t) / 1000);
        }
        System.out.printf("peer list, %d devices, HTTP GET /api/vpcs/{id}/devices (bytes received): %s%n", PEERS, stats(http));
        System.out.printf("peer list, same SQL direct (rows mapped, no JSON): %s -> ratio of medians %.2f%n", stats(sql),
                (double) median(http) / median(sql));
        System.out.printf("delta after one change (gt_revision): %s -> %.1f %% of the full list%n", stats(delta),
                100.0 * median(delta) / median(http));
    }

    /** WATCHERS open streams on one VPC; one change must reach all, with one database read for the lot. */
    private void fanOut(String bearer, String vpc) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(WATCHERS + 10)
                .setDefaultHost("localhost").setDefaultPort(base.getPort()));
        CountDownLatch ready = new CountDownLatch(WATCHERS);
        CountDownLatch delivered = new CountDownLatch(WATCHERS);
        AtomicLong lastArrival = new AtomicLong();
        long maxRevision = db.preparedQuery("SELECT max(revision) FROM devices WHERE vpc_id = $1")
                .execute(Tuple.of(UUID.fromString(vpc))).await().indefinitely().iterator().next().getLong(0);
        String body = "[{\"kind\":\"device\",\"gt_revision\":" + maxRevision + ",\"at_tail\":false,\"options\":{\"vpc-id\":\""
                + vpc + "\"}}]";
        List<io.vertx.core.http.HttpClientRequest> requests = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < WATCHERS; i++) {
            client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/api/events")
                            .putHeader("Authorization", bearer).putHeader("Content-Type", "application/json"))
                    .compose(req -> {
                        requests.add(req);
                        return req.send(body);
                    })
                    .onSuccess(resp -> {
                        StringBuilder seen = new StringBuilder();
                        resp.handler(chunk -> {
                            seen.append(chunk.toString());
                            if (seen.indexOf("\"tail\"") >= 0 && seen.indexOf("READY") < 0) {
                                seen.append("READY");
                                ready.countDown();
                            }
                            if (seen.indexOf("\"change\"") >= 0 && seen.indexOf("DONE") < 0) {
                                seen.append("DONE");
                                lastArrival.accumulateAndGet(System.nanoTime(), Math::max);
                                delivered.countDown();
                            }
                        });
                    });
        }
        if (!ready.await(120, TimeUnit.SECONDS)) {
            throw new AssertionError("only " + (WATCHERS - ready.getCount()) + " watchers got ready");
        }
        Thread.sleep(1_000); // the catch-up read each follower's arrival triggers is over
        io.nexodus.fn.fetchpeers.FeedsProbe probe = new io.nexodus.fn.fetchpeers.FeedsProbe();
        long readsBefore = probe.deviceReads(UUID.fromString(vpc));
        long changed = System.nanoTime();
        db.preparedQuery("UPDATE devices SET hostname = 'fan-out' WHERE id = (SELECT id FROM devices WHERE vpc_id = $1 LIMIT 1)")
                .execute(Tuple.of(UUID.fromString(vpc))).call(() -> db.preparedQuery("SELECT pg_notify('signalbus', $1)")
                        .execute(Tuple.of("/devices/vpc=" + vpc))).await().indefinitely();
        boolean all = delivered.await(30, TimeUnit.SECONDS);
        long reads = probe.deviceReads(UUID.fromString(vpc)) - readsBefore;
        System.out.printf("fan-out: one change to %d open watch streams: %s delivered, last after %d ms, database reads: %d%n",
                WATCHERS, all ? "all" : (WATCHERS - delivered.getCount()) + " of them",
                (lastArrival.get() - changed) / 1_000_000, reads);
        requests.forEach(r -> r.reset());
        client.close();
    }

    private interface Body {
        void run(int i) throws Exception;
    }

    private static double rate(int count, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<java.util.concurrent.Callable<Void>> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                calls.add(() -> {
                    body.run(n);
                    return null;
                });
            }
            long t = System.nanoTime();
            for (Future<Void> f : pool.invokeAll(calls, 10, TimeUnit.MINUTES)) {
                f.get();
            }
            return count / ((System.nanoTime() - t) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String stats(List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        return String.format("median %.2f ms, p90 %.2f ms, min %.2f ms (n=%d)", sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get((int) (sorted.size() * 0.9)) / 1000.0, sorted.get(0) / 1000.0, sorted.size());
    }
}
