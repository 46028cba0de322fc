package io.nexodus.tests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay in front of a server, to take that server away from its clients and give it back, as a
 * crash and restart would look to them: {@link #cut()} closes the listening socket and every open
 * connection (in-flight calls are lost, new connections are refused), {@link #restore()} listens again on
 * the same port. The server behind it keeps running, so what a test sees is what the network sees.
 */
final class TcpRelay implements AutoCloseable {

    private final int port;
    private final int target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    /** While set, each new connection is accepted and closed at once, and counted in {@link #refused}. */
    private volatile boolean refusing;
    private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger relayed = new java.util.concurrent.atomic.AtomicInteger();

    private TcpRelay(int port, int target) {
        this.port = port;
        this.target = target;
    }

    /** Relays {@code localhost:port} to {@code localhost:target}. */
    static TcpRelay start(int port, int target) throws IOException {
        TcpRelay relay = new TcpRelay(port, target);
        relay.restore();
        return relay;
    }

    synchronized void restore() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener = socket;
        daemon("relay-accept-" + port, () -> accept(socket));
    }

    /** @return how many relayed connections were open, and are now closed */
    synchronized int cut() {
        closeQuietly(listener);
        int cut = open.size();
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
        return cut;
    }

    /**
     * Like {@link #cut}, but the port stays open and every connection made to it is closed at once: an outage a
     * test can count the client's attempts through ({@link #refused}). {@link #accept()} ends it.
     *
     * @return how many relayed connections were open, and are now closed
     */
    synchronized int cutAndCount() {
        refusing = true;
        int cut = open.size();
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
        return cut;
    }

    /** Relays new connections again after {@link #cutAndCount}. */
    void accept() {
        refusing = false;
    }

    /** Connections closed at once since the relay started, one per attempt of a client to get through. */
    int refused() {
        return refused.get();
    }

    /** Connections relayed to the server since the relay started. */
    int relayed() {
        return relayed.get();
    }

    @Override
    public void close() {
        cut();
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                if (refusing) {
                    refused.incrementAndGet();
                    closeQuietly(client);
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                if (!register(socket, client, server)) {
                    return;
                }
                relayed.incrementAndGet();
                daemon("relay-up-" + port, () -> pump(client, server));
                daemon("relay-down-" + port, () -> pump(server, client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /**
     * Counts a connection as open unless a cut came between its accept and now: such a connection would
     * otherwise outlive the cut (the cut closed only what it found open) and carry calls through the outage.
     */
    private synchronized boolean register(ServerSocket acceptedOn, Socket client, Socket server) {
        if (acceptedOn.isClosed()) {
            closeQuietly(client);
            closeQuietly(server);
            return false;
        }
        open.add(client);
        open.add(server);
        return true;
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException closed) {
            // one side went away: the other goes too
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception ignored) {
            // already closed
        }
    }
}
