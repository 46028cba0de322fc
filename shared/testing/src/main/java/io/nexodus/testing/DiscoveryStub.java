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
    private int status = 200;
    private long delayMillis;
    private String failureKeep;

    /**
     * Init args, for a provider in trouble: {@code status} (the document's status, 200 by default),
     * {@code delay-ms} (before answering) and {@code failure-keep} (the functions' nexodus.auth.discovery-failure-keep).
     */
    @Override
    public void init(Map<String, String> initArgs) {
        status = Integer.parseInt(initArgs.getOrDefault("status", "200"));
        delayMillis = Long.parseLong(initArgs.getOrDefault("delay-ms", "0"));
        failureKeep = initArgs.get("failure-keep");
    }

    @Override
    public Map<String, String> start() {
        server = LoopbackHttpServer.start(REALM + "/.well-known/openid-configuration", exchange -> {
            REQUESTS.incrementAndGet();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (status != 200) {
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
                return;
            }
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
        String url = LoopbackHttpServer.baseUrl(server) + REALM + "/.well-known/openid-configuration";
        return failureKeep == null ? Map.of("nexodus.auth.discovery-url", url)
                : Map.of("nexodus.auth.discovery-url", url, "nexodus.auth.discovery-failure-keep", failureKeep);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
