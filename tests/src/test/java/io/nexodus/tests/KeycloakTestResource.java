package io.nexodus.tests;

import io.nexodus.testing.PostgresTestResource;
import java.util.HashMap;
import java.util.Map;

/**
 * PostgreSQL and the test issuers as for every test, plus a real Keycloak trusted as a third issuer
 * ({@code keycloak}) and named as the provider nexd logs in with: the test JVM's one Keycloak, with realms imported
 * anew for this class (KeycloakServer). Without a JDK 21+ the application starts
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
        // the JVM's Keycloak (started by the first class that needs it) with fresh realms for this class's application
        // (its ports, when it starts: none the application is about to bind, and two distinct ones)
        Map<String, String> taken = new HashMap<>(config);
        KeycloakServer.startFor(Integer.parseInt(config.get("quarkus.http.test-port")), () -> {
            String port = freePortBesides(taken);
            taken.put("keycloak port " + port, port);
            return Integer.parseInt(port);
        });
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
        String relayPort = freePortBesides(config);
        try {
            backchannel = TcpRelay.start(Integer.parseInt(relayPort), KeycloakServer.port());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        config.put("nexodus.auth.provider-backchannel", "http://127.0.0.1:" + relayPort + "/realms/nexodus");
        // the web console's sign-in (WebSignInTest): the realm's confidential client, a console origin to return to
        config.put("nexodus.web.client-secret", KeycloakServer.WEB_CLIENT_SECRET);
        config.put("quarkus.http.cors.origins", WebSignInTest.CONSOLE);
        return config;
    }

    /** Keycloak itself stays for the JVM's next class (KeycloakServer); this class's relay goes. */
    @Override
    public void stop() {
        if (backchannel != null) {
            backchannel.close();
        }
        super.stop();
    }
}
