package io.nexodus.shared.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The issuer's keys as a JSON Web Key Set (what the cold-start harness serves over HTTP, as Keycloak does): SmallRye
 * JWT, fetching them from a URL, accepts the issuer's tokens and refuses another issuer's.
 */
class DevTokenIssuerJwksTest {

    @Test
    void tokensVerifyAgainstTheKeySetServedOverHttp() throws Exception {
        DevTokenIssuer issuer = DevTokenIssuer.create("http://jwks.test/issuer");
        byte[] body = issuer.jwks().getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/certs", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            JWTAuthContextInfo info = new JWTAuthContextInfo(
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/certs", issuer.issuer());
            info.setExpectedAudience(Set.of("account"));
            DefaultJWTParser parser = new DefaultJWTParser(info);

            assertEquals("alice", parser.parse(issuer.token("alice")).getClaim("preferred_username"));
            // same issuer name, another key: the served set does not vouch for it
            DevTokenIssuer impostor = DevTokenIssuer.create(issuer.issuer());
            assertThrows(ParseException.class, () -> parser.parse(impostor.token("alice")));
        } finally {
            server.stop(0);
        }
    }
}
