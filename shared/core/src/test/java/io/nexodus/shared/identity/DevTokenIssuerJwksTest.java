package io.nexodus.shared.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.net.InetSocketAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The issuer's keys served as a JSON Web Key Set over HTTP ({@link DevTokenIssuer#serveJwks}, what the cold-start
 * harness serves, as Keycloak does): SmallRye JWT, fetching them from the URL, accepts the issuer's tokens and refuses
 * another key's.
 */
class DevTokenIssuerJwksTest {

    @Test
    void tokensVerifyAgainstTheKeySetServedOverHttp() throws Exception {
        DevTokenIssuer issuer = DevTokenIssuer.create("http://jwks.test/issuer");
        HttpServer server = issuer.serveJwks(new InetSocketAddress("127.0.0.1", 0), "/certs");
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
