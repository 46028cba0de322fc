package io.nexodus.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * A real HTTP server on a free loopback port, for the tests that stand in for a service outside ours (an
 * identity provider's discovery document, an OTLP receiver, an event sink): the JDK's own server, so the
 * functions talk to it over the network as they would to the real one.
 */
public final class LoopbackHttpServer {

    /** The address it listens on and the one {@link #baseUrl} names: one literal, so the two cannot differ. */
    private static final String HOST = "127.0.0.1";

    private LoopbackHttpServer() {
    }

    /** Starts a server that answers every path with {@code handler}. */
    public static HttpServer start(HttpHandler handler) {
        return start("/", handler);
    }

    /** Starts a server that answers {@code path} (and below it) with {@code handler}. */
    public static HttpServer start(String path, HttpHandler handler) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(HOST, 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(path, handler);
        server.start();
        return server;
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public static String baseUrl(HttpServer server) {
        return "http://" + HOST + ":" + server.getAddress().getPort();
    }
}
