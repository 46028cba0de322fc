package io.nexodus.tests;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's event sink, run as its own process ({@link SystemBenchmark.SinkWhenEventsOn} starts it
 * with {@link ProcessBuilder}), as the Broker is another pod in production: its work (and its garbage) is
 * not the function's, so it must not run in the function's JVM. JDK only (it runs with just this class on
 * its class path). It takes every {@code POST} with {@code 202}, counts the ones that carry a CloudEvent
 * id ({@code ce-id}, binary mode) and answers {@code GET /count} with that count and its own CPU time in
 * milliseconds ({@code "<events> <cpu-ms>"}), so the benchmark can wait until every event arrived and say
 * what the receiving cost. Prints its port as the first line of its output.
 */
public final class SinkProcess {

    private SinkProcess() {
    }

    public static void main(String[] args) throws IOException {
        AtomicLong received = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.transferTo(java.io.OutputStream.nullOutputStream());
            }
            if ("GET".equals(exchange.getRequestMethod())) {
                long cpuMs = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime() / 1_000_000;
                byte[] answer = (received.get() + " " + cpuMs).getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            } else {
                if (exchange.getRequestHeaders().getFirst("ce-id") != null) {
                    received.incrementAndGet();
                }
                exchange.sendResponseHeaders(202, -1);
            }
            exchange.close();
        });
        server.start();
        System.out.println(server.getAddress().getPort());
        System.out.flush();
        // ends with its parent: stdin closes when the benchmark's JVM exits, however it exits
        while (System.in.read() >= 0) {
            // nothing is sent on stdin
        }
        System.exit(0);
    }
}
