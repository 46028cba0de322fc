package io.nexodus.local;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The all-in-one's HTTPS certificate. nexd accepts only an {@code https://} service URL and talks to
 * {@code api.<host>}: the all-in-one therefore also listens with TLS, on a certificate for {@code localhost},
 * {@code api.localhost} and 127.0.0.1 that it makes on its first start and keeps (so it is trusted once),
 * unless {@code TLS_CERT} and {@code TLS_KEY} name PEM files of the user's own.
 */
final class LocalTls {

    /** The PEM files of the certificate chain and its private key. */
    record Files(Path certificate, Path key, boolean made) {
    }

    static final String[] NAMES = {"localhost", "api.localhost"};

    private LocalTls() {
    }

    /** The user's files, or the kept self-signed ones under {@code dir}, made now when missing. */
    static Files choose(String certificate, String key, Path dir) throws IOException, GeneralSecurityException {
        if (certificate != null && !certificate.isBlank() && key != null && !key.isBlank()) {
            return new Files(Path.of(certificate), Path.of(key), false);
        }
        Path cert = dir.resolve("localhost.crt");
        Path privateKey = dir.resolve("localhost.key");
        if (java.nio.file.Files.isRegularFile(cert) && java.nio.file.Files.isRegularFile(privateKey)) {
            return new Files(cert, privateKey, false);
        }
        java.nio.file.Files.createDirectories(dir);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=localhost, O=Nexodus Functions (local all-in-one)");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(825))), subject, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, NAMES[0]), new GeneralName(GeneralName.dNSName, NAMES[1]),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        try {
            var holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            write(privateKey, new JcaPKCS8Generator(pair.getPrivate(), null)); // PKCS#8: "PRIVATE KEY"
            write(cert, holder);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the local certificate", e);
        }
        return new Files(cert, privateKey, true);
    }

    private static void write(Path file, Object pemObject) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(pemObject);
        }
        java.nio.file.Files.writeString(file, text.toString());
    }
}
