package io.nexodus.tests;

import io.nexodus.testing.PostgresTestResource;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link PostgresTestResource}, with the functions' IPAM client pointed at a port of its own
 * ({@code quarkus.grpc.clients.ipam.port}) instead of the IPAM server's
 * ({@code quarkus.grpc.server.test-port}), so that a test can put a {@link TcpRelay} between them.
 */
public class IpamBehindRelay extends PostgresTestResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        String relayPort = String.valueOf(freePort());
        config.put("quarkus.grpc.clients.ipam.port", relayPort);
        config.put("quarkus.grpc.clients.ipam.test-port", relayPort);
        return config;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
