package io.nexodus.shared.identity;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.JwtClaims;

/**
 * The OpenID Connect issuers whose access tokens the functions accept. The primary issuer is SmallRye
 * JWT's own ({@code mp.jwt.verify.issuer}, {@code …publickey.location}, {@code …audiences}); more are
 * named in {@code nexodus.auth.issuers} and each described by {@code nexodus.auth.issuer.<name>.url},
 * {@code .jwks}, {@code .audience} and {@code .clock-skew} (docs/identity.md).
 *
 * <p>A token is verified only against the issuer its (still unverified) {@code iss} names, so one
 * issuer's keys never vouch for another's tokens, and the verified issuer goes with the subject into
 * {@link TokenProfile}: a user is (issuer, subject). Nothing is fetched at start-up: each issuer's JWKS is
 * fetched on its first token and cached by its parser (cold start stays cheap).
 */
@ApplicationScoped
public class TrustedIssuers {

    @Inject
    JWTParser primaryParser;

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    String primaryIssuer;

    @Inject
    Config config;

    /** Issuer URL → its verifier: one parser each, since a parser caches the keys it resolved. */
    private volatile Map<String, JWTParser> others;

    /** @return the issuer of the trusted configuration the users created before V5 came from */
    public String primary() {
        return primaryIssuer;
    }

    /** Verifies signature, issuer, expiry and audience against the issuer the token names. */
    public JsonWebToken verify(String token) throws ParseException {
        String claimed = unverifiedIssuer(token);
        JWTParser other = claimed == null ? null : others().get(claimed);
        return other != null ? other.parse(token) : primaryParser.parse(token);
    }

    private Map<String, JWTParser> others() {
        Map<String, JWTParser> known = others;
        if (known == null) {
            Map<String, JWTParser> read = new HashMap<>();
            for (String name : config.getOptionalValues("nexodus.auth.issuers", String.class).orElse(List.of())) {
                String prefix = "nexodus.auth.issuer." + name + ".";
                String url = config.getValue(prefix + "url", String.class);
                JWTAuthContextInfo info = new JWTAuthContextInfo(config.getValue(prefix + "jwks", String.class), url);
                info.setExpectedAudience(Set.copyOf(config.getOptionalValues(prefix + "audience", String.class)
                        .orElse(List.of("account"))));
                info.setClockSkew(config.getOptionalValue(prefix + "clock-skew", Integer.class).orElse(60));
                read.put(url, new DefaultJWTParser(info));
            }
            others = known = Map.copyOf(read);
        }
        return known;
    }

    /** The {@code iss} a token claims, read without verifying: it only picks the keys to verify with. */
    static String unverifiedIssuer(String token) {
        try {
            int first = token.indexOf('.');
            int second = token.indexOf('.', first + 1);
            if (first < 0 || second < 0) {
                return null;
            }
            byte[] payload = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
            return JwtClaims.parse(new String(payload, StandardCharsets.UTF_8)).getIssuer();
        } catch (Exception unreadable) {
            return null; // the primary parser rejects it with its own reason
        }
    }
}
