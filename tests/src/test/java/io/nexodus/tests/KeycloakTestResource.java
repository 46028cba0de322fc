package io.nexodus.tests;

import io.nexodus.testing.PostgresTestResource;
import java.util.HashMap;
import java.util.Map;

/**
 * PostgreSQL and the test issuers as for every test, plus a real Keycloak trusted as a third issuer
 * ({@code keycloak}) and named as the provider nexd logs in with. Without a JDK 21+ the application starts
 * without Keycloak and KeycloakTest skips (or fails under CI=true).
 */
public class KeycloakTestResource extends PostgresTestResource {

    /**
     * The functions' own way to Keycloak (nexodus.auth.provider-backchannel, as OIDC_BACKCHANNEL in a KIND install),
     * while browsers and tokens use its public URL: a relay, so that a test sees the functions' calls go through it.
     */
    static volatile TcpRelay backchannel;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        int[] ports = freePorts(3);
        KeycloakServer.start(ports[0], ports[1], Integer.parseInt(config.get("quarkus.http.test-port")));
        if (KeycloakServer.unavailable != null) {
            return config;
        }
        String issuer = KeycloakServer.issuer("nexodus");
        config.put("nexodus.auth.issuers", "other,keycloak");
        config.put("nexodus.auth.issuer.keycloak.url", issuer);
        config.put("nexodus.auth.issuer.keycloak.jwks", issuer + "/protocol/openid-connect/certs");
        config.put("nexodus.auth.issuer.keycloak.audience", "account");
        // the expiry checks wait out 5-second tokens: no minute of grace
        config.put("nexodus.auth.issuer.keycloak.clock-skew", "1");
        config.put("nexodus.auth.discovery-url", issuer + "/.well-known/openid-configuration");
        try {
            backchannel = TcpRelay.start(ports[2], ports[0]);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        config.put("nexodus.auth.provider-backchannel", "http://127.0.0.1:" + ports[2] + "/realms/nexodus");
        // the web console's sign-in (WebSignInTest): the realm's confidential client, a console origin to return to
        config.put("nexodus.web.client-secret", KeycloakServer.WEB_CLIENT_SECRET);
        config.put("quarkus.http.cors.origins", WebSignInTest.CONSOLE);
        return config;
    }

    @Override
    public void stop() {
        if (backchannel != null) {
            backchannel.close();
        }
        KeycloakServer.stop();
        super.stop();
    }
}
