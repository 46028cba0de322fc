package io.nexodus.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nexodus.shared.crypto.TokenSeal;
import io.nexodus.shared.crypto.WireGuardKeys;
import io.nexodus.testing.PostgresTestResource;
import io.nexodus.testing.TestTokens;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The all-in-one's HTTPS listener as nexd meets it: the certificate LocalTls makes (localhost, api.localhost,
 * 127.0.0.1) served by the functions, and nexd's registration flow over it with a registration key (key, its
 * VPC, register, open the sealed device token, use it).
 */
@QuarkusTest
@WithTestResource(value = HttpsListenerTest.WithLocalCertificate.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class HttpsListenerTest {

    static final Path DIR = Path.of("target", "local-tls");

    /** The test database, and HTTPS on the certificate the all-in-one would make on its first start. */
    public static class WithLocalCertificate extends PostgresTestResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            try {
                LocalTls.Files tls = LocalTls.choose(null, null, DIR);
                config.put("quarkus.http.ssl.certificate.files", tls.certificate().toAbsolutePath().toString());
                config.put("quarkus.http.ssl.certificate.key-files", tls.key().toAbsolutePath().toString());
                config.put("quarkus.http.test-ssl-port", Integer.toString(freePorts(1)[0]));
                config.put("quarkus.http.insecure-requests", "enabled");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return config;
        }
    }

    @ConfigProperty(name = "quarkus.http.test-ssl-port")
    int httpsPort;

    private X509Certificate certificate() throws Exception {
        try (InputStream in = Files.newInputStream(DIR.resolve("localhost.crt"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private HttpClient trustingTheLocalCertificate() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("local", certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build();
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String bearer, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", bearer);
        request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCertificateNamesWhatNexdCallsAndIsKeptForTheNextStart() throws Exception {
        X509Certificate cert = certificate();
        List<String> names = cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        assertTrue(names.containsAll(List.of("localhost", "api.localhost", "127.0.0.1")), names.toString());
        LocalTls.Files again = LocalTls.choose(null, null, DIR);
        assertEquals(false, again.made(), "the second start keeps the first start's certificate (trusted once)");
        LocalTls.Files own = LocalTls.choose("/my/cert.pem", "/my/key.pem", DIR);
        assertEquals(Path.of("/my/cert.pem"), own.certificate(), "TLS_CERT and TLS_KEY win");
    }

    @Test
    void aBrowserOpeningTheRootFindsTheApiDescriptionAndATokenWithoutLoggingIn() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + io.restassured.RestAssured.port + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        for (String link : List.of("/q/swagger-ui", "/q/openapi", "/dev/token?username=admin")) {
            assertTrue(page.body().contains("href=\"" + link + "\""), link);
        }
        // only the exact root: anything below it still needs a token
        assertEquals(401, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + io.restassured.RestAssured.port + "/api/users/me")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void nexdsRegistrationFlowWorksOverHttps() throws Exception {
        HttpClient https = trustingTheLocalCertificate();
        String base = "https://localhost:" + httpsPort;
        String owner = TestTokens.bearer("https-owner");
        HttpResponse<String> me = send(https, "GET", base + "/api/users/me", owner, null);
        assertEquals(200, me.statusCode(), me.body());
        String vpc = new JsonObject(me.body()).getString("id");
        HttpResponse<String> key = send(https, "POST", base + "/api/reg-keys", owner, "{\"vpc_id\":\"" + vpc + "\"}");
        assertEquals(201, key.statusCode(), key.body());
        String rk = "Bearer " + new JsonObject(key.body()).getString("bearer_token");

        // nexd --reg-key: the key, its VPC, then the device
        assertEquals(200, send(https, "GET", base + "/api/reg-keys/me", rk, null).statusCode());
        assertEquals(200, send(https, "GET", base + "/api/vpcs/" + vpc, rk, null).statusCode());
        byte[] privateKey = WireGuardKeys.newPrivateKey();
        String publicKey = TokenSeal.publicKeyOf(privateKey);
        HttpResponse<String> device = send(https, "POST", base + "/api/devices", rk, "{\"vpc_id\":\"" + vpc
                + "\",\"public_key\":\"" + publicKey + "\",\"hostname\":\"laptop\",\"os\":\"linux\"}");
        assertEquals(201, device.statusCode(), device.body());
        JsonObject registered = new JsonObject(device.body());
        String dt = TokenSeal.openV1(registered.getString("bearer_token"), publicKey);
        HttpResponse<String> peers = send(https, "GET", base + "/api/vpcs/" + vpc + "/devices", "Bearer " + dt, null);
        assertEquals(200, peers.statusCode(), peers.body());
        assertTrue(peers.body().contains(registered.getString("id")), "the device sees itself among the peers");
        // the plain listener still answers, for curl and the README's first lines
        assertEquals(200, send(HttpClient.newHttpClient(), "GET",
                "http://localhost:" + io.restassured.RestAssured.port + "/api/users/me", owner, null).statusCode());
    }
}
