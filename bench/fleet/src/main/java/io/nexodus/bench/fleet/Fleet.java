package io.nexodus.bench.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The fleet simulator: N agents that behave as nexd does, driven from this process against a base URL
 * (by default a local all-in-one it starts itself on a PostgreSQL of its own). Phases: register (with a reusable
 * key; a share of agents "restart": 409 → PATCH), register-device vs direct ({@code --direct}: the function against
 * its own statements and IPAM calls issued from this process, in a VPC of their own), connect (each agent's one watch
 * stream), idle, changes (an admin edits the security group, agents PATCH endpoints; each change is timed to every
 * connected agent), list (full, paired with its query run directly, and delta), reconnect (the all-in-one restarted;
 * agents resume by revision). Prints a markdown report; exits 1 when the fleet did not work (an agent not registered
 * or not connected, a change not delivered to everyone, a direct registration that wrote nothing).
 *
 * <pre>java -jar bench/fleet/target/bench-fleet-0.1.0-SNAPSHOT.jar --agents=1000</pre>
 */
public final class Fleet {

    /** The run's knobs ({@code --name=value}); see {@link #usage()}. */
    record Options(int agents, int fullSync, int concurrency, int restarts, int changes, int idleSeconds,
            boolean reconnect, String url, String adminToken, Path localJar, Path out, List<String> appJvm,
            int deliveryTimeoutSeconds, boolean preOnline, int connected, boolean direct, int directSize, int directWarmup,
            int directPasses, String topology, Path repo) {

        static Options parse(String... args) {
            java.util.Map<String, String> m = new java.util.HashMap<>();
            for (String a : args) {
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unknown argument " + a + "\n" + usage());
                }
                int eq = a.indexOf('=');
                m.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "true" : a.substring(eq + 1));
            }
            int agents = Integer.parseInt(m.getOrDefault("agents", "50"));
            Options o = new Options(agents,
                    Integer.parseInt(m.getOrDefault("full-sync", Integer.toString(Math.min(agents, 1000)))),
                    Integer.parseInt(m.getOrDefault("concurrency", "16")),
                    Integer.parseInt(m.getOrDefault("restarts", Integer.toString(Math.max(1, agents / 20)))),
                    Integer.parseInt(m.getOrDefault("changes", "5")),
                    Integer.parseInt(m.getOrDefault("idle-seconds", "35")),
                    Boolean.parseBoolean(m.getOrDefault("reconnect", "true")),
                    m.get("url"), m.get("admin-token"),
                    Path.of(m.getOrDefault("local-jar", System.getProperty("nexodus.fleet.local-jar",
                            "deploy/local/target/quarkus-app/quarkus-run.jar"))),
                    m.containsKey("out") ? Path.of(m.get("out")) : null,
                    List.of(m.getOrDefault("app-jvm", "-Xmx1g").split(" ")),
                    Integer.parseInt(m.getOrDefault("delivery-timeout", "60")),
                    Boolean.parseBoolean(m.getOrDefault("pre-online", "false")),
                    Integer.parseInt(m.getOrDefault("connected", Integer.toString(agents))),
                    Boolean.parseBoolean(m.getOrDefault("direct", "true")),
                    Integer.parseInt(m.getOrDefault("direct-size", Integer.toString(Math.min(agents, 1000)))),
                    Integer.parseInt(m.getOrDefault("direct-warmup", "2")),
                    Integer.parseInt(m.getOrDefault("direct-passes", "3")),
                    m.getOrDefault("topology", "all-in-one"),
                    Path.of(m.getOrDefault("repo", System.getProperty("nexodus.fleet.repo", "."))));
            m.keySet().removeAll(List.of("agents", "full-sync", "concurrency", "restarts", "changes", "idle-seconds",
                    "reconnect", "url", "admin-token", "local-jar", "out", "app-jvm", "delivery-timeout", "pre-online", "connected",
                    "direct", "direct-size", "direct-warmup", "direct-passes", "topology", "repo"));
            if (!List.of("all-in-one", "functions").contains(o.topology())) {
                throw new IllegalArgumentException("--topology is all-in-one or functions\n" + usage());
            }
            if (o.direct() && (o.directSize() < 1 || o.directPasses() < 1 || o.directWarmup() < 0)) {
                throw new IllegalArgumentException("--direct-size and --direct-passes must be at least 1, --direct-warmup at least 0");
            }
            if (!m.isEmpty()) {
                throw new IllegalArgumentException("unknown option(s) " + m.keySet() + "\n" + usage());
            }
            return o;
        }
    }

    static String usage() {
        return """
                --agents=50            agents to register
                --connected=N          how many of them then hold a watch stream (all by default)
                --full-sync=min(N,1000) agents whose first stream starts from revision 0 as a new nexd does; the others
                                       start where a pilot agent's full sync ended (agents that were current)
                --concurrency=16       registrations in flight
                --restarts=N/20        agents that register again (409 → PATCH, nexd's restart)
                --changes=5            security-group edits and as many device PATCHes, each timed to every agent
                --idle-seconds=35      the idle phase (the streams' credential re-check runs every 15 s)
                --reconnect=true       restart the process holding the streams (SIGTERM) and time the fleet's resume
                --topology=all-in-one  what to start: all-in-one (one process), or functions (each function in its own
                                       process, the IPAM server in another, behind HAProxy running the committed front
                                       door; needs the functions and ipam packaged, and haproxy)
                --repo=.               the repository (for --topology=functions: the packaged functions, the door's config)
                --url=URL              target a running stack instead (then --admin-token=BEARER if it has no /dev/token)
                --local-jar=PATH       the all-in-one to start (deploy/local/target/quarkus-app/quarkus-run.jar)
                --app-jvm="-Xmx1g"     JVM options of the all-in-one it starts (of each process with --topology=functions)
                --delivery-timeout=60  seconds a change may take to reach every agent
                --out=FILE             also write the report there
                --pre-online=false     mark the fleet's devices online in the database before the streams open (a fleet
                                       that was online on another replica): the openings then write no online flips
                                       (before migration V13 each flip was also an event to every other agent: N²)
                --direct=true          after the register phase, register-device from here against the same statements and
                                       IPAM calls issued directly from here, in a VPC of its own; in the list phase, the
                                       full list against its query run from here (rows mapped, no JSON). Needs the stack
                                       started here (not --url)
                --direct-size=min(N,1000) registrations per pass, each side
                --direct-warmup=2      unmeasured pass pairs first (the JIT of both processes settles)
                --direct-passes=3      measured pass pairs (function, direct; the order alternates); medians reported
                """;
    }

    /** What a run found: its report and what failed (empty when the fleet worked). */
    record Result(String report, List<String> failures) {
    }

    public static void main(String[] args) throws Exception {
        // shared-core brings JBoss LogManager; JUL must be told before the first logger, or it complains
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Result result = run(options);
        System.out.println(result.report());
        if (options.out() != null) {
            Files.writeString(options.out(), result.report());
        }
        if (!result.failures().isEmpty()) {
            System.err.println("FLEET RUN FAILED:\n  " + String.join("\n  ", result.failures()));
            System.exit(1);
        }
        System.exit(0);
    }

    static Result run(Options o) throws Exception {
        Stack stack = null;
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try {
            String base;
            DataSource db = null;
            if (o.url() == null) {
                stack = o.topology().equals("functions") ? FunctionProcesses.start(o.repo(), Path.of("target", "fleet"), o.appJvm())
                        : AllInOne.start(o.localJar(), Path.of("target", "fleet"), o.appJvm());
                // Ctrl-C or a kill ends what it started too: a dozen orphaned JVMs and a PostgreSQL would outlive it
                Stack started = stack;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (Exception e) {
                        System.err.println("stopping the stack: " + e);
                    }
                }));
                base = stack.baseUrl();
                db = stack.database();
            } else {
                base = o.url().replaceFirst("/$", "");
            }
            return new Fleet(o, vertx, base, stack, db).go();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (stack != null) {
                stack.close();
            }
        }
    }

    private final Options o;
    private final Vertx vertx;
    private final Stack stack;
    private final DataSource db;
    private final String host;
    private final int port;
    private final HttpClient api;
    private final HttpClient streams;
    private final List<Agent> agents = new ArrayList<>();
    /** The agents that hold a stream: the first {@code --connected} of them (all by default). */
    private List<Agent> connected = List.of();
    private final List<String> failures = new ArrayList<>();
    private final StringBuilder report = new StringBuilder();
    private Phase.Pids pids;
    private String admin;
    private String vpc;
    private String regKey;
    private String securityGroup;
    /** The direct baseline's pool and IPAM client (--direct, a stack started here), from register to the list phase. */
    private DirectClients direct;
    /** False while the all-in-one is restarted on purpose: streams that end then reconnect with nexd's pace. */
    private volatile boolean running = true;

    private Fleet(Options o, Vertx vertx, String base, Stack stack, DataSource db) throws Exception {
        this.o = o;
        this.vertx = vertx;
        this.stack = stack;
        this.db = db;
        java.net.URI uri = java.net.URI.create(base);
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 80;
        // short requests share a few kept-alive connections; each watch stream holds a connection of its own for
        // minutes, so their pool is as large as the fleet
        this.api = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(Math.max(8, o.concurrency() * 2)).setMaxWaitQueueSize(-1));
        this.streams = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(o.agents() + 16).setMaxWaitQueueSize(-1));
        this.pids = stack == null ? Phase.Pids.remote() : new Phase.Pids(stack.processes(), stack.streamsPid(), stack.pgPid());
    }

    private Result go() throws Exception {
        report.append("## Fleet run: ").append(o.agents()).append(" agents\n\n");
        report.append(String.format("- machine: nproc %d, %s, JDK %s; target %s%n", Runtime.getRuntime().availableProcessors(),
                memTotal(), System.getProperty("java.version"), stack == null ? host + ":" + port
                        : String.format("%s; ready %.1f s after PostgreSQL", stack.describe(), stack.startSeconds())));
        report.append("- options: ").append(o.toString().replaceFirst("^Options", "")).append("\n\n");
        setup();
        register();
        if (o.direct() && stack == null) {
            report.append("(--direct: not run against --url, which gives neither the database nor the IPAM server)\n\n");
        }
        try {
            if (failures.isEmpty() && o.direct() && stack != null) {
                direct = DirectClients.open(vertx, stack);
                registerVsDirect();
            }
            if (failures.isEmpty()) {
                connect();
            }
            if (failures.isEmpty()) {
                idle();
                changes();
                lists();
                closeDirect();
                if (o.reconnect() && stack != null) {
                    reconnect();
                }
            }
        } finally {
            closeDirect();
        }
        running = false;
        for (Agent a : agents) {
            if (a.response != null) {
                a.response.request().connection().close();
            }
        }
        report.append(failures.isEmpty() ? "**Result: the fleet worked.**\n" : "**Result: FAILED**: " + failures + "\n");
        return new Result(report.toString(), failures);
    }

    // ---------------------------------------------------------------------------------------------- phases

    /** The admin's bearer: given (--admin-token), from the stack started here, else from the target's /dev/token. */
    private String adminToken() throws Exception {
        if (o.adminToken() != null) {
            return o.adminToken();
        }
        return "Bearer " + (stack != null ? stack.userToken("fleet-admin")
                : new JsonObject(get("/dev/token?username=fleet-admin", null, null).body).getString("access_token"));
    }

    private void setup() throws Exception {
        admin = adminToken();
        vpc = new JsonObject(get("/api/users/me", admin, null).body).getString("id");
        regKey = "Bearer " + new JsonObject(call(HttpMethod.POST, "/api/reg-keys", admin, "{\"vpc_id\":\"" + vpc
                + "\",\"description\":\"fleet\"}", null).body).getString("bearer_token");
        JsonArray groups = new JsonArray(get("/api/vpcs/" + vpc + "/security-groups", admin, null).body);
        securityGroup = groups.getJsonObject(0).getString("id");
        for (int i = 0; i < o.agents(); i++) {
            agents.add(new Agent(i));
        }
        connected = agents.subList(0, Math.min(o.connected(), agents.size()));
    }

    /** Every agent registers with the reusable key; then a share "restarts": the same key again → 409 → PATCH. */
    private void register() throws Exception {
        Phase p = new Phase("register: " + o.agents() + " agents, " + o.concurrency() + " in flight, then "
                + o.restarts() + " restarts (409 → PATCH)", pids, db).begin();
        forEach(agents, o.concurrency(), a -> callAsync(HttpMethod.POST, "/api/devices", regKey, a.registerBody(vpc), p, "POST /api/devices")
                .map(r -> {
                    if (r.status == 201) {
                        JsonObject d = new JsonObject(r.body);
                        a.id = d.getString("id");
                        a.token = "Bearer " + a.openToken(d.getString("bearer_token"));
                    }
                    return null;
                }));
        long registered = agents.stream().filter(a -> a.token != null).count();
        forEach(agents.subList(0, Math.min(o.restarts(), agents.size())), o.concurrency(),
                a -> callAsync(HttpMethod.POST, "/api/devices", regKey, a.registerBody(vpc), p, "POST /api/devices (restart)")
                        .compose(r -> {
                            if (r.status != 409) {
                                return Future.succeededFuture(null);
                            }
                            String id = new JsonObject(r.body).getString("id");
                            return callAsync(HttpMethod.PATCH, "/api/devices/" + id, regKey, a.registerBody(vpc), p,
                                    "PATCH /api/devices/{id} (restart)").map(u -> {
                                        if (u.status == 200 && id.equals(a.id)) {
                                            a.token = "Bearer " + a.openToken(new JsonObject(u.body).getString("bearer_token"));
                                        }
                                        return null;
                                    });
                        }));
        p.finish();
        p.notes.add(String.format("%.1f registrations/s; PostgreSQL CPU %.2f ms and function CPU %.2f ms per registration (restarts included in the phase)",
                registered / p.seconds(), p.pgCpuMillis() / (double) Math.max(1, registered), p.appCpuMillis() / (double) Math.max(1, registered)));
        report.append(p.markdown());
        if (registered < o.agents()) {
            failures.add((o.agents() - registered) + " of " + o.agents() + " agents not registered");
        }
        long restarted = p.count("PATCH /api/devices/{id} (restart)", 200);
        if (restarted < Math.min(o.restarts(), agents.size())) {
            failures.add("only " + restarted + " of " + o.restarts() + " restarts answered 409 → PATCH 200");
        }
    }

    private static final String OP_FUNCTION = "POST /api/devices (paired pass)";
    private static final String OP_DIRECT = "direct: register-device's statements + IPAM calls";

    /**
     * register-device driven from here against the same statements and IPAM calls issued directly from here
     * ({@link DirectRegistration}), as the goal compares them. Both sides register into a VPC of their own (its own
     * registration key), so that the fleet's VPC, and so every later phase, is as without this one. Pairs of passes of
     * {@code --direct-size} registrations, {@code --concurrency} in flight each: the first {@code --direct-warmup}
     * pairs unmeasured (this process's JIT is cold for the direct side, the all-in-one's for the paired request), then
     * {@code --direct-passes} measured pairs, the order within a pair alternating; medians of the pass rates.
     */
    private void registerVsDirect() throws Exception {
        int n = o.directSize();
        int pairs = o.directWarmup() + o.directPasses();
        // the admin's personal organization is its default VPC's id; a VPC without CIDRs shares the default prefixes
        String sideVpc = created(call(HttpMethod.POST, "/api/vpcs", admin, "{\"organization_id\":\"" + vpc
                + "\",\"description\":\"fleet: register-device vs direct\"}", null), "the side VPC").getString("id");
        String sideKey = "Bearer " + created(call(HttpMethod.POST, "/api/reg-keys", admin, "{\"vpc_id\":\"" + sideVpc
                + "\",\"description\":\"fleet: register-device vs direct\"}", null), "the side VPC's key").getString("bearer_token");
        DirectRegistration directly = new DirectRegistration(direct, sideKey);
        // keys made beforehand: only registering is timed; indexes after the fleet's, so hostnames and endpoints differ
        List<Agent> keys = new ArrayList<>();
        for (int i = 0; i < 2 * pairs * n; i++) {
            keys.add(new Agent(o.agents() + i));
        }
        Phase p = new Phase("register-device vs direct: " + o.directWarmup() + " unmeasured + " + o.directPasses()
                + " measured pairs of " + n + " registrations each way, " + o.concurrency() + " in flight, in a VPC of their own", pids, db).begin();
        List<Double> viaFunction = new ArrayList<>();
        List<Double> directRates = new ArrayList<>();
        long[] functionCpu = new long[3];
        long[] directCpu = new long[3];
        StatementTally functionStatements = new StatementTally(db);
        StatementTally directStatements = new StatementTally(db);
        for (int pair = 0; pair < pairs && failures.isEmpty(); pair++) {
            boolean measured = pair >= o.directWarmup();
            List<Agent> forFunction = keys.subList(2 * pair * n, (2 * pair + 1) * n);
            List<Agent> forDirect = keys.subList((2 * pair + 1) * n, (2 * pair + 2) * n);
            for (int side = 0; side < 2; side++) {
                // measured pairs alternate which side goes first, so that neither always follows the other's garbage
                boolean functionNow = (side == 0) == ((pair - o.directWarmup()) % 2 == 0);
                StatementTally statements = functionNow ? functionStatements : directStatements;
                if (measured) {
                    statements.passStarts();
                }
                long[] cpuBefore = cpuNow();
                double rate = functionNow ? functionPass(forFunction, sideVpc, sideKey, measured ? p : null)
                        : directPass(forDirect, directly, measured ? p : null);
                if (measured) {
                    long[] used = minus(cpuNow(), cpuBefore);
                    long[] total = functionNow ? functionCpu : directCpu;
                    for (int k = 0; k < 3; k++) {
                        total[k] += used[k];
                    }
                    (functionNow ? viaFunction : directRates).add(rate);
                    statements.passEnded();
                }
            }
        }
        p.finish();
        if (failures.isEmpty()) {
            double f = median(viaFunction);
            double d = median(directRates);
            p.notes.add(String.format("pass rates (measured, in order): via the function %s/s; direct %s/s", rates(viaFunction), rates(directRates)));
            p.notes.add(String.format("**register-device from the simulator: %.0f/s; the same statements + IPAM calls issued directly: %.0f/s → %.0f %%** (medians of %d passes of %d each way)",
                    f, d, 100 * f / d, o.directPasses(), n));
            int measuredEach = o.directPasses() * n;
            p.notes.add(String.format("CPU per registration (measured passes): via the function: function process %.2f ms, PostgreSQL %.2f ms, simulator %.2f ms;"
                    + " direct: function process (IPAM) %.2f ms, PostgreSQL %.2f ms, simulator %.2f ms",
                    functionCpu[0] / (double) measuredEach, functionCpu[1] / (double) measuredEach, functionCpu[2] / (double) measuredEach,
                    directCpu[0] / (double) measuredEach, directCpu[1] / (double) measuredEach, directCpu[2] / (double) measuredEach));
            p.notes.add(sideRowsCheck(sideVpc, 2 * pairs * n));
            // the same statements on both sides: one that costs a side more per call ran another plan there
            p.notes.add("statements via the function (measured passes): " + String.join("; ", functionStatements.top(5, measuredEach)));
            p.notes.add("the same, issued directly: " + String.join("; ", directStatements.top(5, measuredEach)));
        }
        report.append(p.markdown());
    }

    private static JsonObject created(Response r, String what) {
        if (r.status != 201 && r.status != 200) {
            throw new IllegalStateException(what + ": answered " + r.status + " " + r.body);
        }
        return new JsonObject(r.body);
    }

    /** One pass through the function; the rate of registrations answered. A registration not answered 201 fails the run. */
    private double functionPass(List<Agent> batch, String sideVpc, String sideKey, Phase p) throws Exception {
        AtomicInteger created = new AtomicInteger();
        List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        forEach(batch, o.concurrency(), a -> callAsync(HttpMethod.POST, "/api/devices", sideKey, a.registerBody(sideVpc), p, OP_FUNCTION)
                .map(r -> {
                    if (r.status == 201) {
                        created.incrementAndGet();
                    } else {
                        refused.add(r.status + " " + r.body);
                    }
                    return null;
                }));
        double rate = batch.size() / ((System.nanoTime() - t0) / 1e9);
        if (created.get() < batch.size()) {
            failures.add((batch.size() - created.get()) + " of " + batch.size() + " paired registrations via the function failed; e.g. "
                    + (refused.isEmpty() ? "no answer" : refused.get(0)));
        }
        return rate;
    }

    /** One pass issued directly; the rate. A registration that wrote no row fails the run. */
    private double directPass(List<Agent> batch, DirectRegistration directly, Phase p) throws Exception {
        AtomicInteger written = new AtomicInteger();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        forEach(batch, o.concurrency(), a -> {
            long started = System.nanoTime();
            return Future.fromCompletionStage(directly.register(a.publicKey, a.hostname(), a.endpoints()).subscribeAsCompletionStage())
                    .onComplete(ar -> {
                        if (ar.succeeded()) {
                            written.incrementAndGet();
                        } else {
                            errors.add(String.valueOf(ar.cause()));
                        }
                        if (p != null) {
                            p.record(OP_DIRECT, ar.succeeded() ? "row written" : "failed", System.nanoTime() - started);
                        }
                    });
        });
        double rate = batch.size() / ((System.nanoTime() - t0) / 1e9);
        if (written.get() < batch.size()) {
            failures.add((batch.size() - written.get()) + " of " + batch.size() + " direct registrations failed; e.g. " + errors.get(0));
        }
        return rate;
    }

    /**
     * That both sides did the work for real: every registration of the pairs is a live row of the side VPC with its
     * event, and every device of the side VPC and the fleet's VPC holds an IPv4 address of its own (IPAM handed each
     * out once). A miss fails the run.
     */
    private String sideRowsCheck(String sideVpc, int expected) throws Exception {
        try (var c = db.getConnection(); var s = c.prepareStatement("SELECT"
                + " (SELECT count(*) FROM devices WHERE vpc_id = ?::uuid AND deleted_at IS NULL),"
                + " (SELECT count(*) FROM events e JOIN devices d ON e.subject = d.id::text WHERE d.vpc_id = ?::uuid"
                + "   AND e.type = '" + io.nexodus.shared.events.EventType.DEVICE_REGISTERED.type() + "'),"
                + " (SELECT count(*) FROM devices WHERE vpc_id IN (?::uuid, ?::uuid) AND deleted_at IS NULL),"
                + " (SELECT count(DISTINCT ipv4_tunnel_ips -> 0 ->> 'address') FROM devices WHERE vpc_id IN (?::uuid, ?::uuid)"
                + "   AND deleted_at IS NULL)")) {
            for (int i : new int[] {1, 2, 5}) {
                s.setString(i, sideVpc);
            }
            s.setString(3, sideVpc);
            s.setString(4, vpc);
            s.setString(6, vpc);
            try (var r = s.executeQuery()) {
                r.next();
                long rows = r.getLong(1);
                long events = r.getLong(2);
                long both = r.getLong(3);
                long addresses = r.getLong(4);
                if (rows != expected || events != expected || addresses != both) {
                    failures.add(String.format("register-device vs direct: the side VPC holds %d rows and %d events for %d registrations;"
                            + " %d distinct IPv4 addresses over %d devices", rows, events, expected, addresses, both));
                }
                return String.format("checked: the side VPC holds %d live rows and %d registered events for %d registrations; %d devices"
                        + " (fleet and side VPC) hold %d distinct IPv4 addresses", rows, events, expected, both, addresses);
            }
        }
    }

    /** CPU so far, in ms: the stack's processes, PostgreSQL (whole), this process. */
    private long[] cpuNow() {
        return new long[] {pids.totalCpuMillis(), pids.pg() > 0 ? Proc.treeCpuMillis(pids.pg()) : 0,
                Proc.cpuMillis(ProcessHandle.current().pid())};
    }

    private static long[] minus(long[] a, long[] b) {
        return new long[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    /** The median of {@code nanos}, in milliseconds. */
    private static double medianMillis(List<Long> nanos) {
        return median(nanos.stream().map(Long::doubleValue).toList()) / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String rates(List<Double> values) {
        return values.stream().map(v -> String.format("%.0f", v)).collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * Every agent opens its one stream. A pilot syncs in full first; the first {@code full-sync} connected then start
     * from 0 as new nexds do, the others from the pilot's revisions with at_tail (connected that were current, the
     * steady state of a fleet). The phase ends when every stream answered and every agent is at tail and has seen
     * the last device revision (going online is presence, not a change: it draws no revision since migration V13).
     */
    private void connect() throws Exception {
        Phase p = new Phase("connect: " + connected.size() + " streams (" + Math.min(o.fullSync(), connected.size())
                + " from revision 0, the rest current)", pids, db).begin();
        if (o.preOnline()) {
            if (db == null) {
                throw new IllegalStateException("--pre-online needs the database: only when the simulator starts the stack");
            }
            try (var c = db.getConnection(); var s = c.prepareStatement("UPDATE devices SET online = true, online_at = now(),"
                    + " last_seen_at = now() WHERE vpc_id = ?::uuid AND NOT online AND deleted_at IS NULL")) {
                s.setString(1, vpc);
                p.notes.add(s.executeUpdate() + " devices marked online in the database before any stream opened (--pre-online)");
            }
        }
        double heapBefore = pids.streams() > 0 ? Proc.heapAfterGcMiB(pids.streams()) : -1;
        Agent pilot = connected.get(0);
        openStream(pilot, p).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        await(() -> pilot.atTail(), 60, "the pilot agent's full sync");
        long[] current = {pilot.cursor(0), pilot.cursor(1), pilot.cursor(2)};
        for (int i = 1; i < connected.size(); i++) {
            if (i >= o.fullSync()) {
                connected.get(i).startAt(current, true);
            }
        }
        forEach(connected.subList(1, connected.size()), 64, a -> openStream(a, p));
        long opened = connected.stream().filter(a -> a.open).count();
        p.notes.add(String.format("%d of %d streams answered 200 after %.1f s", opened, connected.size(), p.elapsed()));
        long maxDevice = maxRevision("devices");
        boolean settled = await(() -> connected.stream().allMatch(a -> a.atTail() && a.cursor(0) >= maxDevice),
                Math.max(60, o.agents() / 20), "every agent at tail and current");
        p.finish();
        double heapAfter = pids.streams() > 0 ? Proc.heapAfterGcMiB(pids.streams()) : -1;
        if (heapBefore >= 0 && heapAfter >= 0) {
            p.notes.add(String.format("Java heap in use after a full GC: %.0f → %.0f MiB, %.1f KiB per open stream", heapBefore, heapAfter,
                    (heapAfter - heapBefore) * 1024 / connected.size()));
        }
        long events = connected.stream().mapToLong(a -> a.events).sum();
        long bytes = connected.stream().mapToLong(a -> a.bytes).sum();
        p.notes.add(String.format("%d events (%.1f MiB) received in all; every agent current: %s", events, bytes / 1048576.0, settled));
        p.notes.add(String.format("RSS per open stream of the process holding them: %.1f KiB ((%.0f − %.0f MiB) / %d; heap included, not yet collected)",
                (p.streamsRssEnd - p.streamsRssStart) * 1024 / connected.size(), p.streamsRssEnd, p.streamsRssStart, connected.size()));
        report.append(p.markdown());
        if (opened < connected.size()) {
            failures.add((connected.size() - opened) + " streams not open; e.g. " + connected.stream().filter(a -> !a.open)
                    .map(a -> String.valueOf(a.lastError)).findFirst().orElse(""));
        } else if (!settled) {
            failures.add("not every agent reached the tail and the last device revision (" + maxDevice + ")");
        }
    }

    /** Nothing changes: what open streams cost by themselves (the periodic credential re-check above all). */
    private void idle() throws Exception {
        Phase p = new Phase("idle: " + connected.size() + " open streams, " + o.idleSeconds() + " s", pids, db).begin();
        Thread.sleep(o.idleSeconds() * 1000L);
        p.finish();
        p.notes.add(String.format("per 1,000 open streams: %.1f statements/s, %.1f transactions/s, function CPU %.1f ms/s, PostgreSQL CPU %.1f ms/s",
                p.statementCalls() / p.seconds() * 1000 / connected.size(), p.xacts() / p.seconds() * 1000 / connected.size(),
                p.appCpuMillis() / p.seconds() * 1000 / connected.size(), p.pgCpuMillis() / p.seconds() * 1000 / connected.size()));
        report.append(p.markdown());
    }

    /**
     * One change at a time, so that each is timed alone: from just before the request is sent to when the last
     * connected agent saw its revision (each agent's own arrival time, read back once the revision is known).
     */
    private void changes() throws Exception {
        Phase p = new Phase("changes: " + o.changes() + " security-group edits and " + o.changes()
                + " endpoint PATCHes, each to " + connected.size() + " agents", pids, db).begin();
        List<Long> sgDelays = new ArrayList<>();
        List<Long> deviceDelays = new ArrayList<>();
        org.HdrHistogram.Histogram perAgent = new org.HdrHistogram.Histogram(3_600_000_000L, 3);
        for (int c = 0; c < o.changes(); c++) {
            int port = 1000 + c;
            long made = System.nanoTime();
            Response r = call(HttpMethod.PATCH, "/api/security-groups/" + securityGroup, admin,
                    "{\"description\":\"fleet change " + c + "\",\"inbound_rules\":[{\"ip_protocol\":\"tcp\",\"from_port\":" + port
                            + ",\"to_port\":" + port + ",\"ip_ranges\":[\"100.64.0.0/10\"]}],\"outbound_rules\":[]}", p);
            if (r.status != 200) {
                failures.add("security group PATCH answered " + r.status + ": " + r.body);
                break;
            }
            delivered("security group change " + c, 1, new JsonObject(r.body).getLong("revision"), made, sgDelays, perAgent);
            Agent mover = connected.get(ThreadLocalRandom.current().nextInt(connected.size()));
            made = System.nanoTime();
            r = call(HttpMethod.PATCH, "/api/devices/" + mover.id, mover.token, "{\"endpoints\":[{\"source\":\"local\",\"address\":\"10.9.9."
                    + (c % 250 + 1) + ":51820\"},{\"source\":\"stun:stun1.l.google.com:19302\",\"address\":\"198.51.100." + (c % 250 + 1)
                    + ":" + (30000 + c) + "\"}]}", p);
            if (r.status != 200) {
                failures.add("device PATCH answered " + r.status + ": " + r.body);
                break;
            }
            delivered("device change " + c, 0, new JsonObject(r.body).getLong("revision"), made, deviceDelays, perAgent);
        }
        p.finish();
        p.notes.add("change made → last agent saw it, security group (ms): " + millis(sgDelays));
        p.notes.add("change made → last agent saw it, device endpoints (ms): " + millis(deviceDelays));
        p.notes.add(String.format("change made → an agent saw it, over every agent and change: p50 %.1f ms, p99 %.1f ms",
                perAgent.getValueAtPercentile(50) / 1e3, perAgent.getValueAtPercentile(99) / 1e3));
        p.notes.add(String.format("statements per change: %.1f (both kinds; each write is 1–3 of them)",
                p.statementCalls() / (double) Math.max(1, 2 * o.changes())));
        report.append(p.markdown());
    }

    /** Waits until every open agent has seen {@code revision} of {@code kind}; records the last one's delay. */
    private void delivered(String what, int kind, long revision, long made, List<Long> delays, org.HdrHistogram.Histogram perAgent)
            throws Exception {
        boolean all = await(() -> connected.stream().allMatch(a -> a.cursor(kind) >= revision), o.deliveryTimeoutSeconds(), what);
        if (!all) {
            long missing = connected.stream().filter(a -> a.cursor(kind) < revision).count();
            failures.add(what + " (revision " + revision + ") not delivered to " + missing + " of " + connected.size()
                    + " connected within " + o.deliveryTimeoutSeconds() + " s");
            return;
        }
        long last = 0;
        for (Agent a : connected) {
            long at = a.sawAt(kind, revision);
            if (at > 0) {
                perAgent.recordValue(Math.max(1, (at - made) / 1_000));
                last = Math.max(last, at - made);
            }
        }
        delays.add(last);
    }

    private static final String OP_FULL_LIST = "GET /api/vpcs/{id}/devices (full)";
    private static final String OP_DIRECT_LIST = "direct: the full list's query, rows mapped (no JSON)";

    /** Deltas read before the measured ones: the route's JIT and its connection warm, as a steady poller's are. */
    private static final int DELTA_WARMUP = 10;
    /** Deltas measured: a delta costs a few milliseconds, so five of them were at the mercy of one scheduler hiccup. */
    private static final int DELTA_SAMPLES = 25;

    /**
     * The plain list nexctl and the console use: the whole VPC, and a delta after one change. With {@code --direct},
     * each full list is paired with the same query run from here ({@link DirectPeerList}), one unmeasured pair first,
     * the two alternating; the ratio of their medians is the goal's. The delta's median is set against the full
     * list's (the goal: at most 1 %).
     */
    private void lists() throws Exception {
        boolean paired = direct != null;
        Phase p = new Phase("list: the " + o.agents() + "-device VPC in full (5) and as a delta (gt_revision, "
                + DELTA_SAMPLES + " after " + DELTA_WARMUP + " unmeasured)"
                + (paired ? "; each full list paired with its query run directly" : ""), pids, db).begin();
        long since = maxRevision("devices") - 1;
        long full = 0;
        List<Long> fullLists = new ArrayList<>();
        List<Long> viaSql = new ArrayList<>();
        DirectPeerList directList = paired ? new DirectPeerList(direct) : null;
        for (int i = paired ? -1 : 0; i < 5; i++) {
            Phase measured = i >= 0 ? p : null;
            long t0 = System.nanoTime();
            Response r = call(HttpMethod.GET, "/api/vpcs/" + vpc + "/devices", admin, null, measured, OP_FULL_LIST);
            long routeNanos = System.nanoTime() - t0;
            full = r.body.length();
            if (measured != null) {
                fullLists.add(routeNanos);
            }
            if (paired) {
                t0 = System.nanoTime();
                int rows = directList.list(java.util.UUID.fromString(vpc)).await().atMost(java.time.Duration.ofMinutes(10));
                long sqlNanos = System.nanoTime() - t0;
                if (rows != o.agents()) {
                    failures.add("the full list's query read " + rows + " devices in the fleet's VPC, not " + o.agents());
                }
                if (measured != null) {
                    measured.record(OP_DIRECT_LIST, rows + " rows", sqlNanos);
                    viaSql.add(sqlNanos);
                }
            }
        }
        long delta = 0;
        List<Long> deltas = new ArrayList<>();
        for (int i = -DELTA_WARMUP; i < DELTA_SAMPLES; i++) {
            long t0 = System.nanoTime();
            delta = call(HttpMethod.GET, "/api/vpcs/" + vpc + "/devices?gt_revision=" + since, admin, null, i >= 0 ? p : null,
                    "GET /api/vpcs/{id}/devices?gt_revision (delta)").body.length();
            if (i >= 0) {
                deltas.add(System.nanoTime() - t0);
            }
        }
        p.finish();
        p.notes.add(String.format("full list %d bytes, delta %d bytes", full, delta));
        double fullMedian = medianMillis(fullLists);
        double deltaMedian = medianMillis(deltas);
        p.notes.add(String.format("**delta after one change: %.2f ms = %.2f %% of the full list's %.1f ms** (medians)",
                deltaMedian, 100 * deltaMedian / fullMedian, fullMedian));
        if (paired) {
            double sql = medianMillis(viaSql);
            p.notes.add(String.format("**full peer list of %d devices: the route %.1f ms, its query run directly %.1f ms → %.2f×** (medians of 5"
                    + " alternated pairs after one unmeasured pair; the route's time is to its last byte received)", o.agents(), fullMedian, sql,
                    fullMedian / sql));
        }
        report.append(p.markdown());
    }

    private void closeDirect() throws Exception {
        if (direct != null) {
            DirectClients closing = direct;
            direct = null;
            closing.close();
        }
    }

    /**
     * The replica all streams are on stops (SIGTERM, as a Knative scale-down or new revision) and starts again. Each
     * agent reconnects as nexd does (at once on a clean end, else its 5 s ticker: a random wait up to 5 s) with its
     * last revisions and at_tail; an agent that was current should get nothing again.
     */
    private void reconnect() throws Exception {
        long[] before = connected.stream().mapToLong(a -> a.streams).toArray();
        long replayedBefore = connected.stream().mapToLong(a -> a.replayed).sum();
        long eventsBefore = connected.stream().mapToLong(a -> a.events).sum();
        long t0 = System.nanoTime();
        stack.stopStreams();
        double stopped = (System.nanoTime() - t0) / 1e9;
        stack.startStreams();
        double ready = (System.nanoTime() - t0) / 1e9;
        pids = new Phase.Pids(stack.processes(), stack.streamsPid(), pids.pg());
        // the all-in-one's development issuer signs with a key made at each start: the admin asks again, as a user would log in
        admin = adminToken();
        Phase p = new Phase("reconnect: " + stack.streamsName() + " restarted (SIGTERM, start), " + connected.size() + " connected resume", pids, db).begin();
        boolean all = await(() -> {
            for (int i = 0; i < connected.size(); i++) {
                if (connected.get(i).streams <= before[i] || !connected.get(i).open) {
                    return false;
                }
            }
            return true;
        }, 120, "every agent resumed");
        double resumed = (System.nanoTime() - t0) / 1e9;
        long replays = connected.stream().mapToLong(a -> a.replayed).sum() - replayedBefore;
        long events = connected.stream().mapToLong(a -> a.events).sum() - eventsBefore;
        // one change after: every resumed stream must carry it
        long made = System.nanoTime();
        Response r = call(HttpMethod.PATCH, "/api/security-groups/" + securityGroup, admin,
                "{\"description\":\"fleet after restart\"}", p);
        List<Long> delay = new ArrayList<>();
        if (r.status == 200) {
            delivered("security group change after the restart", 1, new JsonObject(r.body).getLong("revision"), made, delay,
                    new org.HdrHistogram.Histogram(3_600_000_000L, 3));
        } else {
            failures.add("security group PATCH after the restart answered " + r.status);
        }
        p.finish();
        p.notes.add(String.format("SIGTERM → exited %.1f s, → ready again %.1f s, → every agent's stream open again %.1f s (%s)",
                stopped, ready, resumed, all ? "all " + connected.size() : "NOT all"));
        p.notes.add(String.format("events received while resuming: %d, of which %d replays of revisions already seen", events, replays));
        p.notes.add("a change after the restart, made → last agent saw it (ms): " + millis(delay));
        report.append(p.markdown());
        if (!all) {
            Agent stuck = connected.stream().filter(a -> a.streams <= before[a.index] || !a.open).findFirst().orElseThrow();
            failures.add("not every agent resumed within 120 s of the restart; e.g. agent " + stuck.index + ": streams "
                    + stuck.streams + " (before " + before[stuck.index] + "), open " + stuck.open + ", last error " + stuck.lastError);
        }
        if (replays > 0) {
            failures.add(replays + " events replayed to connected that had them (resume by revision broken)");
        }
    }

    // ---------------------------------------------------------------------------------------------- streams

    /**
     * Opens (or reopens) an agent's stream. When it ends, nexd reopens at once with its cursors and at_tail
     * (internal/client custom_informer.go: an unexpected EOF restarts the watch); after an error, its 5 s ticker.
     */
    private Future<Void> openStream(Agent a, Phase p) {
        long started = System.nanoTime();
        RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI("/api/events")
                .putHeader("Authorization", a.token).putHeader("Content-Type", "application/json");
        String body = a.watchBody(vpc);
        return streams.request(ro).compose(req -> req.send(Buffer.buffer(body))).compose(resp -> {
            if (p != null) {
                p.record("POST /api/events (open)", resp.statusCode(), System.nanoTime() - started);
            }
            if (resp.statusCode() != 200) {
                return resp.body().compose(b -> {
                    a.lastError = resp.statusCode() + " " + b;
                    return Future.failedFuture(a.lastError);
                });
            }
            debug(a, "stream open");
            a.resetPartial();
            a.response = resp;
            a.open = true;
            a.streams++;
            resp.handler(a::onChunk);
            resp.endHandler(v -> {
                a.open = false;
                reopenLater(a, 0);
            });
            resp.exceptionHandler(e -> {
                a.open = false;
                a.lastError = String.valueOf(e);
                reopenLater(a, 5_000);
            });
            return Future.<Void>succeededFuture();
        }).recover(e -> {
            a.lastError = String.valueOf(e);
            if (!a.open) {
                reopenLater(a, 5_000);
            }
            return Future.failedFuture(e);
        });
    }

    private final AtomicInteger reopening = new AtomicInteger();

    private static final boolean DEBUG = System.getenv("FLEET_DEBUG") != null;

    private static void debug(Agent a, String what) {
        if (DEBUG && a.index < 2) {
            System.err.printf("%tT.%<tL agent %d: %s%n", System.currentTimeMillis(), a.index, what);
        }
    }

    private void reopenLater(Agent a, long maxDelayMillis) {
        debug(a, "reopen within " + maxDelayMillis + " ms; last error " + a.lastError);
        if (!running) {
            return;
        }
        long delay = maxDelayMillis == 0 ? 1 : 1 + ThreadLocalRandom.current().nextLong(maxDelayMillis);
        reopening.incrementAndGet();
        vertx.setTimer(delay, t -> {
            reopening.decrementAndGet();
            if (running && !a.open) {
                openStream(a, null);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------- HTTP

    record Response(int status, String body) {
    }

    private Future<Response> callAsync(HttpMethod method, String path, String bearer, String body, Phase p, String op) {
        long started = System.nanoTime();
        RequestOptions ro = new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(path);
        if (bearer != null) {
            ro.putHeader("Authorization", bearer);
        }
        if (body != null) {
            ro.putHeader("Content-Type", "application/json");
        }
        return api.request(ro).compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
                .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b.toString())))
                .onComplete(ar -> {
                    if (p != null) {
                        p.record(op, ar.succeeded() ? ar.result().status : -1, System.nanoTime() - started);
                    }
                });
    }

    private Response call(HttpMethod method, String path, String bearer, String body, Phase p) throws Exception {
        String op = method + " " + path.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "{id}").replaceAll("\\?.*", "");
        return call(method, path, bearer, body, p, op);
    }

    private Response call(HttpMethod method, String path, String bearer, String body, Phase p, String op) throws Exception {
        return callAsync(method, path, bearer, body, p, op).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }

    private Response get(String path, String bearer, Phase p) throws Exception {
        Response r = call(HttpMethod.GET, path, bearer, null, p);
        if (r.status != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.status + ": " + r.body);
        }
        return r;
    }

    /** Runs {@code work} over {@code items} with at most {@code inFlight} at once; returns when all are done. */
    private static <T> void forEach(List<T> items, int inFlight, java.util.function.Function<T, Future<?>> work) throws Exception {
        AtomicInteger next = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger active = new AtomicInteger(Math.min(inFlight, items.size()));
        if (items.isEmpty()) {
            return;
        }
        Runnable[] worker = new Runnable[1];
        worker[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= items.size()) {
                if (active.decrementAndGet() == 0) {
                    done.complete(null);
                }
                return;
            }
            work.apply(items.get(i)).onComplete(ar -> worker[0].run());
        };
        for (int w = 0; w < Math.min(inFlight, items.size()); w++) {
            worker[0].run();
        }
        done.get(1, TimeUnit.HOURS);
    }

    private static boolean await(java.util.function.BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    private long maxRevision(String table) throws Exception {
        if (db != null) {
            try (var c = db.getConnection(); var s = c.createStatement();
                    var r = s.executeQuery("SELECT coalesce(max(revision), 0) FROM " + table + " WHERE vpc_id = '" + vpc + "'")) {
                r.next();
                return r.getLong(1);
            }
        }
        // a remote target: the list's own revisions
        JsonArray all = new JsonArray(get("/api/vpcs/" + vpc + "/devices", admin, null).body);
        long max = 0;
        for (int i = 0; i < all.size(); i++) {
            max = Math.max(max, all.getJsonObject(i).getLong("revision"));
        }
        return max;
    }

    private static String millis(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "none";
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        StringBuilder b = new StringBuilder();
        for (long n : nanos) {
            b.append(b.isEmpty() ? "" : ", ").append(n / 1_000_000);
        }
        return b + String.format(" (median %d, max %d)", sorted[sorted.length / 2] / 1_000_000, sorted[sorted.length - 1] / 1_000_000);
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
        } catch (Exception e) {
            return "memory ?";
        }
    }
}
