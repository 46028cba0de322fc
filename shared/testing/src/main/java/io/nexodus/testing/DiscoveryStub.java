package io.nexodus.testing;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider's discovery document, served over real HTTP for the tests that start a device login
 * (the auth function's, the contract test; the whole flow against a real Keycloak is tests/…/KeycloakTest). Counts its requests, so a test can see
 * that the document is fetched once, not per login.
 */
public class DiscoveryStub implements QuarkusTestResourceLifecycleManager {

    public static final AtomicInteger REQUESTS = new AtomicInteger();

    private static final String REALM = "/realms/nexodus";

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        server = LoopbackHttpServer.start(REALM + "/.well-known/openid-configuration", exchange -> {
            REQUESTS.incrementAndGet();
            // requests come once start() has answered, so the server is known by then
            String base = LoopbackHttpServer.baseUrl(server) + REALM;
            byte[] body = ("{\"issuer\":\"" + base + "\",\"device_authorization_endpoint\":\"" + base
                    + "/protocol/openid-connect/auth/device\",\"token_endpoint\":\"" + base
                    + "/protocol/openid-connect/token\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        return Map.of("nexodus.auth.discovery-url",
                LoopbackHttpServer.baseUrl(server) + REALM + "/.well-known/openid-configuration");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
