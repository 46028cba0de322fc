package io.nexodus.bench;

import io.nexodus.shared.identity.DevTokenIssuer;
import io.nexodus.shared.migrations.Migrate;
import io.nexodus.testing.IpamServerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cold-start harness. For every line of a plan (app, JVM option, packaged app directory, java binary,
 * JVM flags) it starts {@code quarkus-run.jar} again and again and measures:
 * <ul>
 *   <li>process spawn → first 200 of a real request (for a function: the first live GET route without a path
 *   parameter in {@code functions/ROUTES.md}, with a bearer token, so authentication, user provisioning and
 *   the database are on the path; for the floor: {@code GET /}; for a read floor (kind {@code floor-db}):
 *   {@code GET /organizations}, no token, the ten rows {@link #seedOrganizations} wrote), polled every 5 ms;</li>
 *   <li>idle RSS ({@code VmRSS} of {@code /proc/<pid>/status}) after the first answer and an idle pause.</li>
 * </ul>
 * Runs are interleaved (round r of every plan line, then round r+1), so load drifting on a shared machine
 * spreads over all options alike; round 0 is a warm-up (page cache, user provisioning) and is not counted.
 * One embedded PostgreSQL (zonky), migrated with {@link Migrate}, and one {@link DevTokenIssuer} serve the
 * whole run. The run stops early (and says so) when its time budget is spent. The issuer's keys are a PEM file
 * ({@code file:}), and also served as a JSON Web Key Set over HTTP at {@link #JWKS_URL}, as Keycloak serves them
 * in a cluster: a plan line with {@code -Dmp.jwt.verify.publickey.location=http://127.0.0.1:28091/certs} among its
 * flags fetches them on its first request (a plan line's own {@code -D} wins over the harness's).
 *
 * <p>A plan line may carry training flags (7th column): the app is then run once before round 0 with those
 * flags and the benchmark request (see {@link #train}), to write a start-up archive from a real workload.
 *
 * <p>With {@code --latency-s N} (N &gt; 0), after the rounds every floor and read-floor line is started once
 * more and its route's per-request latency is measured under a bounded load ({@link Latency}); results in
 * {@code latency.md}.
 *
 * <p>Usage: {@code ColdStart --repo DIR --plan FILE --out DIR [--runs 7] [--idle-ms 2000] [--budget-s 780]
 * [--latency-s 0] [--latency-clients 2]}.
 * Plan lines: {@code app<TAB>kind(floor|floor-db|function)<TAB>option<TAB>appDir<TAB>javaBin<TAB>flags[<TAB>training flags]}.
 */
public final class ColdStart {

    /** The IPAM server's port: below Linux's ephemeral range (32768+), as the functions' ports below. */
    static final int IPAM_PORT = 28_090;

    /** Where the harness serves the issuer's keys as a JSON Web Key Set (on the port after the IPAM server's). */
    static final String JWKS_URL = "http://127.0.0.1:28091/certs";

    record Plan(String app, String kind, String option, Path appDir, String java, List<String> flags,
            List<String> trainingFlags) {
    }

    /** The request that counts as the first answer; {@code anyAuthenticated}: any status but 401/403/5xx. */
    record Endpoint(String method, String path, boolean anyAuthenticated) {
        boolean answered(int status) {
            return anyAuthenticated ? status >= 200 && status < 500 && status != 401 && status != 403
                    : status >= 200 && status < 300;
        }

        @Override
        public String toString() {
            return method + " " + path + (anyAuthenticated ? "  (fallback: any authenticated answer counts)" : "");
        }
    }

    record Sample(long startMs, double rssMiB, double quarkusStartedS, double load1) {
    }

    /** The read floors' route: ten organizations as JSON, the same in both (docs/benchmarks.md, "Hibernate Reactive or SQL"). */
    static final Endpoint READ = new Endpoint("GET", "/organizations", false);

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        Path repo = Path.of(opts.getOrDefault("--repo", ".")).toAbsolutePath().normalize();
        Path out = Path.of(opts.getOrDefault("--out", "bench/target/results")).toAbsolutePath();
        int runs = Integer.parseInt(opts.getOrDefault("--runs", "7"));
        long idleMs = Long.parseLong(opts.getOrDefault("--idle-ms", "2000"));
        long budgetS = Long.parseLong(opts.getOrDefault("--budget-s", "780"));
        long timeoutMs = Long.parseLong(opts.getOrDefault("--timeout-ms", "60000"));
        long latencyS = Long.parseLong(opts.getOrDefault("--latency-s", "0"));
        int latencyClients = Integer.parseInt(opts.getOrDefault("--latency-clients", "2"));
        List<Plan> plans = readPlan(Path.of(opts.get("--plan")));
        Files.createDirectories(out.resolve("logs"));

        long begin = System.nanoTime();
        String loadBefore = loadavg();
        DevTokenIssuer issuer = DevTokenIssuer.create("http://bench.local/issuer");
        java.net.URI jwksUrl = java.net.URI.create(JWKS_URL);
        com.sun.net.httpserver.HttpServer jwks = issuer.serveJwks(
                new InetSocketAddress(jwksUrl.getHost(), jwksUrl.getPort()), jwksUrl.getPath());
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String pgUrl = "postgresql://localhost:" + pg.getPort() + "/postgres";
            Migrate.apply(pgUrl, "postgres", "postgres");
            seedOrganizations(pg);
            String token = issuer.token("bench");
            // the routes under /private/ (gc's) take the cluster's service token, not a user's
            String serviceToken = "bench-service-" + java.util.UUID.randomUUID();
            Map<String, String> sysProps = new LinkedHashMap<>(issuer.config());
            sysProps.put("nexodus.auth.service-token", serviceToken);
            sysProps.put("quarkus.datasource.reactive.url", pgUrl);
            sysProps.put("quarkus.datasource.username", "postgres");
            sysProps.put("quarkus.datasource.password", "postgres");
            // the real IPAM server, so that a function whose first answer needs it (gc) answers for real; it runs on
            // the harness's own JVM: it is not what is measured
            IpamServerProcess ipam = IpamServerProcess.start(repo.resolve("ipam/target/quarkus-app"),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), List.of(),
                    Map.of("PG_URL", pgUrl, "PG_USER", "postgres", "PG_PASSWORD", "postgres"), IPAM_PORT,
                    out.resolve("logs"), Duration.ofSeconds(60));
            Runtime.getRuntime().addShutdownHook(new Thread(ipam::close));
            sysProps.put("quarkus.grpc.clients.ipam.host", "127.0.0.1");
            sysProps.put("quarkus.grpc.clients.ipam.port", Integer.toString(ipam.port));

            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            for (Plan p : plans) {
                endpoints.computeIfAbsent(p.app(), a -> switch (p.kind()) {
                    case "floor" -> new Endpoint("GET", "/", false);
                    case "floor-db" -> READ;
                    default -> endpointOf(repo, a);
                });
            }
            endpoints.forEach((app, e) -> System.out.printf("endpoint %-16s %s%n", app, e));

            Map<Plan, List<Sample>> samples = new LinkedHashMap<>();
            plans.forEach(p -> samples.put(p, new ArrayList<>()));
            int port = 28_100; // below Linux's ephemeral range (32768+), where client sockets would collide
            boolean outOfTime = false;
            List<String> raw = new ArrayList<>();
            raw.add("round,app,option,start_ms,rss_mib,quarkus_started_s,load1");
            for (Plan p : plans) {
                if (!p.trainingFlags().isEmpty()) {
                    port = port >= 28_160 ? 28_100 : port + 1;
                    train(p, sysProps, port, endpoints.get(p.app()), credential(p, endpoints.get(p.app()), token, serviceToken),
                            timeoutMs, out.resolve("logs").resolve(p.app() + "-" + p.option() + "-training.log"));
                }
            }
            rounds:
            for (int round = 0; round <= runs; round++) {
                for (Plan p : plans) {
                    if (elapsedS(begin) > budgetS) {
                        outOfTime = true;
                        break rounds;
                    }
                    port = port >= 28_160 ? 28_100 : port + 1;
                    Endpoint path = endpoints.get(p.app());
                    String auth = credential(p, path, token, serviceToken);
                    Path log = out.resolve("logs").resolve(p.app() + "-" + p.option() + "-" + round + ".log");
                    Sample s = null;
                    for (int attempt = 1; s == null; attempt++) {
                        try {
                            s = measure(p, sysProps, port, path, auth, idleMs, timeoutMs,
                                    attempt == 1 ? log : out.resolve("logs").resolve(p.app() + "-" + p.option() + "-"
                                            + round + "-attempt" + attempt + ".log"));
                        } catch (IllegalStateException | IOException e) {
                            // e.g. the process was killed from outside during the idle pause (shared machine)
                            if (attempt >= 3) {
                                throw e;
                            }
                            System.out.printf("round %d %s/%s failed (%s), measuring again%n", round, p.app(),
                                    p.option(), e.getMessage());
                            port = port >= 28_160 ? 28_100 : port + 1;
                        }
                    }
                    System.out.printf(Locale.ROOT, "round %d %-14s %-22s %6d ms  %6.1f MiB  (quarkus %.3fs, load %.2f)%n",
                            round, p.app(), p.option(), s.startMs(), s.rssMiB(), s.quarkusStartedS(), s.load1());
                    raw.add(String.format(Locale.ROOT, "%d,%s,%s,%d,%.1f,%.3f,%.2f", round, p.app(), p.option(),
                            s.startMs(), s.rssMiB(), s.quarkusStartedS(), s.load1()));
                    if (round > 0) {
                        samples.get(p).add(s);
                    }
                }
            }
            Files.write(out.resolve("raw.csv"), raw);
            String table = table(samples, runs, idleMs);
            String summary = "Load average (1/5/15 min) before: " + loadBefore + "; after: " + loadavg()
                    + "; wall time " + elapsedS(begin) + " s" + (outOfTime ? "; STOPPED EARLY: time budget of "
                    + budgetS + " s spent" : "") + "\n\n" + table;
            Files.writeString(out.resolve("table.md"), summary);
            System.out.println();
            System.out.println(summary);
            if (latencyS > 0 && !outOfTime) {
                String lat = latency(plans, sysProps, port, latencyS, latencyClients, timeoutMs, out);
                Files.writeString(out.resolve("latency.md"), lat);
                System.out.println(lat);
            }
        } finally {
            // its dispatcher thread is not a daemon: left running, it kept the JVM (and coldstart.sh, until its
            // timeout) from ending after the run, and with it the IPAM server that a shutdown hook stops
            jwks.stop(0);
        }
    }

    /**
     * A training run for a JVM start-up archive made from a real workload (e.g. JDK 25
     * {@code -XX:AOTCacheOutput=...}): start, serve the benchmark request 20 times, stop; the JVM writes the
     * archive as it exits. This is what an image build would do with a training run against a database.
     */
    static void train(Plan p, Map<String, String> sysProps, int port, Endpoint path, String token, long timeoutMs,
            Path log) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process process = spawn(p, p.trainingFlags(), sysProps, port, log);
        try {
            awaitOk(p, process, t0, port, path, token, timeoutMs, log);
            for (int i = 0; i < 20; i++) {
                get(port, path, token);
            }
            process.destroy();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                throw new IllegalStateException("training run of " + p.app() + "/" + p.option() + " did not exit");
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        for (String flag : p.flags()) {
            for (String prefix : List.of("-XX:AOTCache=", "-XX:SharedArchiveFile=")) {
                if (flag.startsWith(prefix) && !Files.exists(p.appDir().resolve(flag.substring(prefix.length())))) {
                    throw new IllegalStateException("training run of " + p.app() + "/" + p.option()
                            + " wrote no " + flag.substring(prefix.length()) + "; see " + log);
                }
            }
        }
        System.out.printf(Locale.ROOT, "trained %-14s %-22s in %d s%n", p.app(), p.option(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }

    /**
     * Per-request latency of each floor and read floor, one JVM option after the other: start it (not timed),
     * check the read floors answer the same JSON, then {@link Latency#run} for {@code latencyS} seconds after
     * a warm-up of a third of that. The load average is read at the end of each measurement.
     */
    static String latency(List<Plan> plans, Map<String, String> sysProps, int port, long latencyS, int clients,
            long timeoutMs, Path out) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("| app | JVM option | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | load1 |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Map<String, String> bodies = new LinkedHashMap<>();
        for (Plan p : plans) {
            if (p.kind().equals("function")) {
                continue;
            }
            Endpoint e = p.kind().equals("floor") ? new Endpoint("GET", "/", false) : READ;
            port = port >= 28_160 ? 28_100 : port + 1;
            Path log = out.resolve("logs").resolve(p.app() + "-" + p.option() + "-latency.log");
            long t0 = System.nanoTime();
            Process process = spawn(p, p.flags(), sysProps, port, log);
            try {
                awaitOk(p, process, t0, port, e, null, timeoutMs, log);
                if (p.kind().equals("floor-db")) {
                    bodies.put(p.app() + "/" + p.option(), Latency.body(port, e.path()));
                }
                Latency.Result r = Latency.run(port, e.path(), clients, latencyS * 1000 / 3, latencyS * 1000);
                String row = "| " + p.app() + " | " + p.option() + " | " + r.row() + " | " + loadavg().split(" ")[0]
                        + " |";
                System.out.println("latency " + row);
                sb.append(row).append('\n');
            } finally {
                stop(process);
            }
        }
        boolean same = bodies.values().stream().distinct().count() <= 1;
        sb.append('\n').append(clients).append(" client threads in the harness process, one keep-alive HTTP/1.1 ")
                .append("connection each, requests back to back; ").append(latencyS / 3).append(" s warm-up discarded, ")
                .append(latencyS).append(" s measured per row. Read floors answered the same JSON: ")
                .append(same ? "yes" : "NO " + bodies).append(bodies.isEmpty() ? "" : " (" + bodies.values()
                        .iterator().next().length() + " bytes)").append('\n');
        return sb.toString();
    }

    /**
     * Ten live organizations (and one deleted, which both read floors must skip), written once after the
     * migration with fixed ids and names, so every read floor answers the same rows in the same order.
     */
    static void seedOrganizations(EmbeddedPostgres pg) throws java.sql.SQLException {
        try (java.sql.Connection c = pg.getPostgresDatabase().getConnection();
                java.sql.PreparedStatement st = c.prepareStatement("INSERT INTO organizations (id, name, description, "
                        + "deleted_at) VALUES (?::uuid, ?, ?, CASE WHEN ? THEN now() END)")) {
            for (int i = 0; i <= 10; i++) {
                st.setString(1, String.format("00000000-0000-4000-8000-%012d", i + 1));
                st.setString(2, String.format("bench-org-%02d", i));
                st.setString(3, i == 10 ? "deleted: must not be listed" : "organization " + i + " of the read floors");
                st.setBoolean(4, i == 10);
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    static Process spawn(Plan p, List<String> flags, Map<String, String> sysProps, int port, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(p.java());
        cmd.addAll(flags);
        // the floor has no datasource or JWT (it would only warn about the keys); a read floor has only the
        // datasource; a property the plan line sets itself is the line's (the JVM would take the last -D)
        sysProps.forEach((k, v) -> {
            if (flags.stream().anyMatch(f -> f.startsWith("-D" + k + "="))) {
                return;
            }
            if (p.kind().equals("function") || p.kind().equals("floor-db") && k.startsWith("quarkus.datasource.")) {
                cmd.add("-D" + k + "=" + v);
            }
        });
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-jar");
        cmd.add("quarkus-run.jar");
        return new ProcessBuilder(cmd).directory(p.appDir().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    static Sample measure(Plan p, Map<String, String> sysProps, int port, Endpoint path, String token, long idleMs,
            long timeoutMs, Path log) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process process = spawn(p, p.flags(), sysProps, port, log);
        try {
            long startMs = awaitOk(p, process, t0, port, path, token, timeoutMs, log);
            Thread.sleep(idleMs);
            if (!process.isAlive()) {
                throw new IllegalStateException(p.app() + "/" + p.option() + " exited during the idle pause with "
                        + process.exitValue() + "; see " + log);
            }
            double rss = rssMiB(process.pid());
            double load1 = Double.parseDouble(loadavg().split(" ")[0]);
            stop(process);
            return new Sample(startMs, rss, quarkusStarted(log), load1);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Polls every 5 ms from spawn ({@code t0}) until the first 200; returns the milliseconds it took. */
    static long awaitOk(Plan p, Process process, long t0, int port, Endpoint path, String token, long timeoutMs,
            Path log) throws InterruptedException {
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long next = t0;
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(p.app() + "/" + p.option() + " exited with " + process.exitValue()
                        + " before answering; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(p.app() + "/" + p.option() + " did not answer 200 within "
                        + timeoutMs + " ms; see " + log);
            }
            int status = get(port, path, token);
            if (path.answered(status)) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            if (status != -1) {
                // answered, but not 200: a real failure, not a slow start
                throw new IllegalStateException(p.app() + "/" + p.option() + " answered " + status + " on "
                        + path + "; see " + log);
            }
            next += TimeUnit.MILLISECONDS.toNanos(5);
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
    }

    /** One HTTP/1.1 GET on a fresh connection; -1 when nothing listens yet or the answer is cut short. */
    static int get(int port, Endpoint endpoint, String token) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            socket.setSoTimeout(10_000);
            OutputStream os = socket.getOutputStream();
            boolean body = !endpoint.method().equals("GET") && !endpoint.method().equals("DELETE");
            String request = endpoint.method() + " " + endpoint.path() + " HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + (body ? "Content-Type: application/json\r\nContent-Length: 2\r\n" : "")
                    + "Connection: close\r\n\r\n" + (body ? "{}" : "");
            os.write(request.getBytes(StandardCharsets.US_ASCII));
            os.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    return -1;
                }
                n += r;
            }
            String statusLine = new String(head, StandardCharsets.US_ASCII); // "HTTP/1.1 200"
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static void stop(Process process) throws InterruptedException {
        process.destroy(); // SIGTERM: Quarkus closes its pool, so PostgreSQL connections do not pile up
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    static double rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    static double quarkusStarted(Path log) {
        try {
            Matcher m = STARTED.matcher(Files.readString(log));
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * The generic rule: the first {@code GET} route of the function with status live and no path parameter
     * (must answer 200). A function without one (e.g. only {@code POST}, or only routes with a path
     * parameter) falls back to its first live route, path parameters filled with a random UUID and an
     * empty JSON object as body: any authenticated answer counts (not 401/403/5xx), since authentication
     * already resolved the caller against the database before the route answers.
     */
    static Endpoint endpointOf(Path repo, String function) {
        List<String[]> live = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(repo.resolve("functions/ROUTES.md"))) {
                String[] c = line.split("\\|");
                if (c.length >= 5 && c[3].trim().equals(function) && c[4].trim().equals("live")) {
                    live.add(new String[] {c[1].trim(), c[2].trim()});
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read functions/ROUTES.md", e);
        }
        for (String[] r : live) {
            if (r[0].equals("GET") && !r[1].contains("{")) {
                return new Endpoint("GET", r[1], false);
            }
        }
        if (live.isEmpty()) {
            throw new IllegalStateException("functions/ROUTES.md lists no live route for " + function);
        }
        String[] r = live.get(0);
        return new Endpoint(r[0], r[1].replaceAll("\\{[^}]+}", java.util.UUID.randomUUID().toString()), true);
    }

    /** The floors have no authentication; a function's private route takes the service token, the others a user's. */
    static String credential(Plan p, Endpoint endpoint, String userToken, String serviceToken) {
        if (!p.kind().equals("function")) {
            return null;
        }
        return endpoint.path().startsWith("/private/") ? serviceToken : userToken;
    }

    static String table(Map<Plan, List<Sample>> samples, int runs, long idleMs) {
        Map<String, Double> floorMedian = new LinkedHashMap<>();
        samples.forEach((p, s) -> {
            if (p.kind().equals("floor") && !s.isEmpty()) { // the bare floor, not the read floors
                floorMedian.put(p.option(), median(s.stream().mapToDouble(Sample::startMs).toArray()));
            }
        });
        StringBuilder sb = new StringBuilder();
        sb.append("| app | JVM option | runs | start→first 200 median ms | min | max | × floor | idle RSS MiB median (min–max) | Quarkus \"started in\" median s | load1 median |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        samples.forEach((p, s) -> {
            if (s.isEmpty()) {
                sb.append("| ").append(p.app()).append(" | ").append(p.option()).append(" | 0 | – | – | – | – | – | – | – |\n");
                return;
            }
            double[] ms = s.stream().mapToDouble(Sample::startMs).toArray();
            double[] rss = s.stream().mapToDouble(Sample::rssMiB).toArray();
            double med = median(ms);
            Double floor = floorMedian.get(p.option());
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.0f | %s | %.0f (%.0f–%.0f) | %.3f | %.2f |%n",
                    p.app(), p.option(), s.size(), med, min(ms), max(ms),
                    floor == null ? "–" : String.format(Locale.ROOT, "%.2f", med / floor),
                    median(rss), min(rss), max(rss),
                    median(s.stream().mapToDouble(Sample::quarkusStartedS).toArray()),
                    median(s.stream().mapToDouble(Sample::load1).toArray())));
        });
        sb.append("\n").append(runs).append(" measured runs per row after one warm-up, interleaved; RSS read ")
                .append(idleMs).append(" ms after the first answer.\n");
        return sb.toString();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    static List<Plan> readPlan(Path file) throws IOException {
        List<Plan> plans = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            List<String> flags = f.length > 5 && !f[5].isBlank() ? List.of(f[5].trim().split("\\s+")) : List.of();
            List<String> training = f.length > 6 && !f[6].isBlank() ? List.of(f[6].trim().split("\\s+")) : List.of();
            plans.add(new Plan(f[0], f[1], f[2], Path.of(f[3]).toAbsolutePath(), f[4], flags, training));
        }
        return plans;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            m.put(args[i], args[i + 1]);
        }
        return m;
    }

    static long elapsedS(long beginNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - beginNanos);
    }
}
