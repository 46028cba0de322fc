package io.nexodus.shared.identity;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * A throw-away OpenID Connect stand-in for the local all-in-one run and the tests: an RSA key made at
 * start, its public half written where SmallRye JWT is told to look, and access tokens shaped like
 * Keycloak's (subject, preferred_username, names, email, audience {@code account}). Never used in a
 * deployment, where tokens come from the real identity provider.
 */
public final class DevTokenIssuer {

    private final String issuer;
    private final KeyPair keys;
    private final Path publicKeyPem;

    private DevTokenIssuer(String issuer, KeyPair keys, Path publicKeyPem) {
        this.issuer = issuer;
        this.keys = keys;
        this.publicKeyPem = publicKeyPem;
    }

    public static DevTokenIssuer create(String issuer) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            Path pem = Files.createTempFile("nexodus-dev-issuer-", ".pem");
            pem.toFile().deleteOnExit();
            String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded());
            Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
            return new DevTokenIssuer(issuer, keys, pem);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot create the development token issuer", e);
        }
    }

    public String issuer() {
        return issuer;
    }

    /** Where the public key is, as a value for {@code mp.jwt.verify.publickey.location}. */
    public String publicKeyLocation() {
        return publicKeyPem.toUri().toString();
    }

    /**
     * The public key as a JSON Web Key Set, the form an identity provider serves it in (Keycloak's
     * {@code /protocol/openid-connect/certs}), for a test or benchmark that serves it over HTTP.
     */
    public String jwks() {
        RsaJsonWebKey key = new RsaJsonWebKey((RSAPublicKey) keys.getPublic());
        key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        key.setUse("sig");
        return new JsonWebKeySet(key).toJson();
    }

    /**
     * Serves {@link #jwks()} at {@code path} on {@code address} (port 0: any free port), as an identity provider
     * answers for its keys (JSON, one GET), until the returned server is stopped.
     */
    public HttpServer serveJwks(InetSocketAddress address, String path) throws IOException {
        byte[] body = jwks().getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(address, 16);
        server.createContext(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    /** Configuration that makes the functions trust this issuer. */
    public Map<String, String> config() {
        return Map.of("mp.jwt.verify.issuer", issuer, "mp.jwt.verify.publickey.location", publicKeyLocation(),
                "mp.jwt.verify.audiences", "account");
    }

    /**
     * Configuration that makes the functions trust this issuer besides their primary one, as the issuer
     * {@code name} (TrustedIssuers); {@code nexodus.auth.issuers} must list the name.
     */
    public Map<String, String> configAs(String name) {
        String prefix = "nexodus.auth.issuer." + name + ".";
        return Map.of(prefix + "url", issuer, prefix + "jwks", publicKeyLocation(), prefix + "audience", "account");
    }

    /** A token for {@code username} whose subject is stable for that name. */
    public String token(String username) {
        return token(UUID.nameUUIDFromBytes(username.getBytes()).toString(), username, 3600, Map.of());
    }

    /**
     * @param extraClaims more claims (given_name, family_name, email, email_verified, …) or overrides; a
     *                    claim mapped to {@code null} is left out
     */
    public String token(String subject, String username, long lifetimeSeconds, Map<String, Object> extraClaims) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(subject);
        claims.setAudience("account");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(lifetimeSeconds / 60f);
        claims.setGeneratedJwtId();
        claims.setClaim("preferred_username", username);
        claims.setClaim("scope", "openid profile email read:organizations write:organizations read:users"
                + " write:users read:devices write:devices");
        extraClaims.forEach((name, value) -> {
            if (value == null) {
                claims.unsetClaim(name); // a test's token without, say, a subject
            } else {
                claims.setClaim(name, value);
            }
        });
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a development token", e);
        }
    }
}
