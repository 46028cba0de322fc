package io.nexodus.tests;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost}, {@code api.localhost} and 127.0.0.1, made by the JDK's own
 * keytool, written as a kubernetes.io/tls Secret mounts it: {@code <name>.pem} (tls.crt) and
 * {@code <name>.pem.key} (tls.key, PKCS#8), which is how HAProxy finds a key beside its certificate.
 */
final class TestCertificate {

    final Path pem;
    final X509Certificate certificate;

    private TestCertificate(Path pem, X509Certificate certificate) {
        this.pem = pem;
        this.certificate = certificate;
    }

    static TestCertificate create(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        Path store = dir.resolve(name + ".p12");
        Files.deleteIfExists(store);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext",
                "SAN=dns:localhost,dns:api.localhost,ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool: " + out);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        X509Certificate certificate = (X509Certificate) keys.getCertificate(name);
        PrivateKey key = (PrivateKey) keys.getKey(name, "changeit".toCharArray());
        Path pem = dir.resolve(name + ".pem");
        Files.writeString(pem, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(dir.resolve(name + ".pem.key"), pem("PRIVATE KEY", key.getEncoded()));
        return new TestCertificate(pem, certificate);
    }

    /** A client context that trusts this certificate only. */
    SSLContext trustingIt() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("door", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
