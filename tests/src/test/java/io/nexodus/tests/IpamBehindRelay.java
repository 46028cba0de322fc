package io.nexodus.tests;

import io.nexodus.testing.PostgresTestResource;
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
        // a port other than the two the application is about to bind (they are not bound yet)
        String relayPort = freePortBesides(config);
        config.put("quarkus.grpc.clients.ipam.port", relayPort);
        config.put("quarkus.grpc.clients.ipam.test-port", relayPort);
        // readiness asks IPAM at every probe, so a test sees the cut at once
        config.put("nexodus.ipam.readiness-every", "PT0S");
        return config;
    }
}
