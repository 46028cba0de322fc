package io.nexodus.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real HAProxy binary running the committed front-door configuration, with its upstreams pointed at local
 * processes instead of the cluster's Knative Services: one application (all functions in one process, the tests) or
 * each function in a process of its own (the fleet simulator's {@code --topology=functions}). The only change made
 * to the file is the address on each `server` line.
 */
public final class HaproxyProcess implements AutoCloseable {

    private final Process process;
    public final Path log;
    public final int port;

    private HaproxyProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    public static String pointedAt(String config, int appPort) {
        return pointedAt(config, appPort, Map.of());
    }

    /** Every server at the application, but those named in {@code others}, each at its own local port. */
    public static String pointedAt(String config, int appPort, Map<String, Integer> others) {
        String out = config;
        for (Map.Entry<String, Integer> other : others.entrySet()) {
            out = out.replaceAll("(?m)^(\\s+server " + other.getKey() + ") \"[^\"]+\"", "$1 127.0.0.1:" + other.getValue());
        }
        out = out.replaceAll("(?m)^(\\s+server \\S+) \"[^\"]+\"", "$1 127.0.0.1:" + appPort);
        if (out.equals(config)) {
            throw new AssertionError("no server line to point at the application");
        }
        return out;
    }

    public static void check(Path haproxy, Path config, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(haproxy.toString(), "-c", "-f", config.toString()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("haproxy -c refuses the configuration:\n" + out);
        }
    }

    public static HaproxyProcess start(Path haproxy, String config, int appPort, Map<String, String> env) throws Exception {
        return start(haproxy, config, appPort, Map.of(), env, Path.of("target", "front-door"));
    }

    /**
     * As {@link #start(Path, String, int, Map)}, with the servers named in {@code others} at their own ports, its
     * configuration and log in {@code dir}.
     */
    public static HaproxyProcess start(Path haproxy, String config, int appPort, Map<String, Integer> others,
            Map<String, String> env, Path dir) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, pointedAt(config, appPort, others));
        int port = PostgresTestResource.freePorts(1)[0];
        Path log = dir.resolve("haproxy.log");
        ProcessBuilder pb = new ProcessBuilder(haproxy.toString(), "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("FRONT_DOOR_BIND", "127.0.0.1:" + port);
        pb.environment().put("NAMESPACE", "nexodus");
        check(haproxy, file, pb.environment());
        HaproxyProcess proxy = new HaproxyProcess(pb.start(), log, port);
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            if (proxy.answersHealth()) {
                return proxy;
            }
            if (!proxy.process.isAlive() || System.currentTimeMillis() > deadline) {
                proxy.close();
                throw new AssertionError("haproxy did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    /**
     * {@code GET /healthz} over HTTP/1.0, so the door closes the connection after answering: a kept-alive probe would
     * hold one of its connections (a test's {@code FRONT_DOOR_MAXCONN}) for a minute.
     */
    private boolean answersHealth() {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write("GET /healthz HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] head = socket.getInputStream().readNBytes(12);
            return new String(head, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.0 200")
                    || new String(head, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException notYet) {
            return false;
        }
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
