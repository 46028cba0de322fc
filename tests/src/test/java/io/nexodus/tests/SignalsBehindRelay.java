package io.nexodus.tests;

import io.nexodus.testing.PostgresTestResource;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link PostgresTestResource}, with fetch-peers' change-signal connection ({@code nexodus.signals.port})
 * pointed at a port of its own, so that a test can put a {@link TcpRelay} between it and PostgreSQL and cut
 * it alone; and with reconnects 5 ms apart, so that 1,000 of them (where the hub used to give up) pass in
 * seconds.
 */
public class SignalsBehindRelay extends PostgresTestResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        String relayPort = freePortBesides(config);
        config.put("nexodus.signals.port", relayPort);
        config.put("nexodus.signals.reconnect-delay", "PT0.005S");
        config.put("nexodus.signals.max-reconnect-delay", "PT0.005S");
        return config;
    }
}
