package io.nexodus.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The loopback port of the all-in-one's own IPAM backend. A port another process holds must stop the start:
 * the functions would otherwise call that process's IPAM (say, a second all-in-one's) and write its
 * addresses into this one's database. Without {@code IPAM_PORT} a free port is chosen, so two all-in-ones
 * started with only {@code PORT} changed each keep their own IPAM.
 */
final class IpamPort {

    private IpamPort() {
    }

    /** @param configured {@code IPAM_PORT}, or null/blank for a free port */
    static int choose(String configured) {
        if (configured == null || configured.isBlank()) {
            return bind(0, "a free loopback port for IPAM");
        }
        int port;
        try {
            port = Integer.parseInt(configured.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("IPAM_PORT must be a port number, not '" + configured + "'");
        }
        return bind(port, "IPAM_PORT " + port);
    }

    /** Binds and releases the port as the gRPC server will bind it (loopback, no address reuse). */
    private static int bind(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(what + " is taken (" + e.getMessage() + "): another process, perhaps"
                    + " another all-in-one, listens there; set IPAM_PORT to a free port, or leave it unset"
                    + " to have one chosen", e);
        }
    }
}
